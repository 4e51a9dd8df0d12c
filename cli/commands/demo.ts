import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { KubeClient } from "../../kube/client";
import { clusterDown, clusterLayout, clusterUp } from "../cluster/local";
import { backendHeaders, dataplaneHealth, gatewayAddress, healthLines, waitFor, webSocketRoundTrip } from "../demo/proof";
import { localEnv } from "../env";
import { buildImages, hostImageSpecs, imageCacheDir, importImages } from "../images/build";
import { packageRoot, stateDir, toolchainBin, toolchainScript } from "../paths";
import { copyExample, installPackedPackage } from "../workspace";

export const summary = "build what is missing, start the local cluster, `pulumi up` the WebSocket example, and prove it carries traffic";

const HOST = "ws.contoso.com";

const HELP = `usage: agc demo [--stack NAME] [--down]

Runs the WebSocket example (examples/websocket) on the embedded default, each step timed:
  1. builds the toolchain if it is missing (agc toolchain; once per machine),
  2. starts the local cluster, a real node (agc cluster up; the example installs the
     controller itself, as pods),
  3. builds the images and imports them into the node (agc images; cached),
  4. installs this package into .agc/demo the way a user would (npm pack + npm install),
  5. runs \`pulumi up\` there, on a file backend in .agc/, stack dev by default: the
     AlbController, a gateway on a delegated subnet with a frontend, and a WebSocketService,
  6. proves it: a WebSocket round trip through the frontend's address, the headers the
     backend saw (x-forwarded-for, x-forwarded-proto, x-request-id), and the backends'
     health as the data plane sees it.
Afterwards:
  eval "$(agc cluster env)"; cd .agc/demo; pulumi stack output    to look at it
  agc demo --down                                                 destroys the stack, stops the cluster`;

type Say = (m: string) => void;

/** Runs one step, printing its name before and its time after. */
async function step<T>(say: Say, name: string, run: () => Promise<T> | T): Promise<T> {
  const started = Date.now();
  say(`${name}...`);
  const result = await run();
  say(`${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

export async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const i = args.indexOf("--stack");
  const stack = i >= 0 ? args[i + 1] : "dev";
  if (!stack) throw new Error("--stack needs a name");
  const say = (m: string) => console.error(`demo: ${m}`);
  const state = stateDir();
  const layout = clusterLayout(state);
  const program = path.join(state, "demo");
  const env = { ...process.env, ...localEnv(state) };
  const pulumi = (...a: string[]) => spawnSync("pulumi", [...a, "--non-interactive"], { cwd: program, env, stdio: "inherit" }).status ?? 1;

  if (args.includes("--down")) {
    if (fs.existsSync(path.join(program, "Pulumi.yaml")) && fs.existsSync(layout.kubeconfig)) {
      const code = await step(say, `pulumi destroy of stack ${stack}`, () => pulumi("destroy", "--yes", "--stack", stack));
      if (code !== 0) say(`pulumi destroy exited ${code}; stopping the cluster anyway`);
    }
    await step(say, "stopping the local cluster", () => clusterDown(layout, say));
    return 0;
  }

  if (!fs.existsSync(path.join(toolchainBin(), "pulumi"))) {
    const r = await step(say, "building the toolchain (once per machine)", () => spawnSync("bash", [toolchainScript], { stdio: "inherit" }));
    if (r.status !== 0) return r.status ?? 1;
  }
  await step(say, "starting the local cluster", () => clusterUp(toolchainBin(), layout, say));
  await step(say, "building and importing the images", async () => importImages(await buildImages(hostImageSpecs(packageRoot, toolchainBin()), imageCacheDir(), say), layout.node.containerdSocket, say));
  await step(say, `installing pulumi-agc into ${program}`, () => {
    installPackedPackage(program);
    copyExample("websocket", program);
  });
  const quiet = (...a: string[]) => spawnSync("pulumi", a, { cwd: program, env, stdio: "ignore" }).status ?? 1;
  if (quiet("stack", "select", stack) !== 0 && pulumi("stack", "init", stack) !== 0) return 1;
  const code = await step(say, "pulumi up", () => pulumi("up", "--yes", "--stack", stack));
  if (code !== 0) return code;

  const outputs = JSON.parse(spawnSync("pulumi", ["stack", "output", "--json", "--stack", stack], { cwd: program, env, encoding: "utf8" }).stdout);
  const client = KubeClient.fromKubeconfig(layout.kubeconfig);
  try {
    const address = await step(say, "the frontend's address", () => waitFor("the Gateway's address", 120_000, () => gatewayAddress(client, outputs.namespace, outputs.gatewayName)));
    const trip = await step(say, "a WebSocket round trip", () => waitFor("an echo through the gateway", 120_000, () => webSocketRoundTrip(address, HOST, "hello through the gateway")));
    say(`  sent "hello through the gateway" to ws://${address}/ (Host: ${HOST}), got "${trip.echoed}" back in ${trip.ms} ms`);
    const headers = await step(say, "the headers the backend saw", () => backendHeaders(address, HOST));
    for (const name of ["x-forwarded-for", "x-forwarded-proto", "x-request-id"]) say(`  ${name}: ${headers[name] ?? "(missing)"}`);
    const health = await step(say, "the backends' health as the data plane sees it", () => dataplaneHealth(client, address));
    for (const { pod, backends } of health) for (const line of healthLines(backends)) say(`  ${pod}: ${line}`);
    say(`done. The service: ws://${address}/ with the header Host: ${HOST} (${outputs.url}; point ${HOST} at ${address} or the frontend's name ${outputs.fqdn})`);
    say(`try it: curl -s -H 'Host: ${HOST}' http://${address}/headers`);
    say(`stop everything: agc demo --down`);
  } finally {
    client.close();
  }
  return 0;
}
