import * as fs from "fs";
import * as path from "path";
import { pemBundle } from "../../dataplane/certificates";
import { RenderedConfig } from "../../dataplane/render";
import { DEFAULT_HAPROXY, validateConfig } from "../../dataplane/haproxy";

/**
 * Writes a rendered configuration with its maps and crt-lists under `dir` (its runtime
 * directory) and runs `haproxy -c` on it: null when accepted, else HAProxy's complaint.
 * Every certificate is the given real one: the IR names files that are not on this machine.
 */
export async function checkRendered(out: RenderedConfig, dir: string, cert: { certFile: string; keyFile: string }): Promise<string | null> {
  fs.mkdirSync(path.join(dir, "maps"), { recursive: true });
  fs.mkdirSync(path.join(dir, "certs"), { recursive: true });
  for (const [name, text] of Object.entries(out.maps)) fs.writeFileSync(path.join(dir, "maps", name), text);
  for (const [name, text] of Object.entries(out.crtLists)) fs.writeFileSync(path.join(dir, "certs", name), text);
  const pem = pemBundle(fs.readFileSync(cert.certFile, "utf8"), fs.readFileSync(cert.keyFile, "utf8"));
  for (const name of Object.keys(out.certificates)) fs.writeFileSync(path.join(dir, "certs", name), pem);
  const cfg = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(cfg, out.haproxyCfg);
  return validateConfig(DEFAULT_HAPROXY, cfg);
}
