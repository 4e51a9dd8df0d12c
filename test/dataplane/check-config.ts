import * as fs from "fs";
import { writeRendered } from "../../dataplane/agent";
import { pemBundle } from "../../dataplane/certificates";
import { DEFAULT_HAPROXY, validateConfig } from "../../dataplane/haproxy";
import { RenderedConfig } from "../../dataplane/render";

/**
 * Writes a rendered configuration with its maps and crt-lists under `dir` (its runtime
 * directory), as the agent writes them, and runs `haproxy -c` on it: null when accepted, else
 * HAProxy's complaint. Every certificate is the given real one: the IR names files that are
 * not on this machine.
 */
export async function checkRendered(out: RenderedConfig, dir: string, cert: { certFile: string; keyFile: string }): Promise<string | null> {
  const pem = pemBundle(fs.readFileSync(cert.certFile, "utf8"), fs.readFileSync(cert.keyFile, "utf8"));
  return validateConfig(DEFAULT_HAPROXY, writeRendered(out, dir, () => pem));
}
