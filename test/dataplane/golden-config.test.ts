/** Every golden IR renders to a configuration the real HAProxy accepts (`haproxy -c`). */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseIr } from "../../model/ir";
import { render } from "../../dataplane/render";
import { DEFAULT_HAPROXY, validateConfig } from "../../dataplane/haproxy";
import { checkRendered } from "./check-config";
import { makeCertificate } from "./harness";

const GOLDEN = path.join(__dirname, "..", "unit", "dataplane", "golden");
const cases = fs.readdirSync(GOLDEN).filter((f) => f.endsWith(".ir.json"));

describe("golden configurations", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agc-golden-"));
  const cert = makeCertificate(dir);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(cases)("%s is accepted by haproxy -c", async (file) => {
    const parsed = parseIr(JSON.parse(fs.readFileSync(path.join(GOLDEN, file), "utf8")));
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    const out = render(parsed.ir, { runtimeDir: path.join(dir, file) });
    expect(await checkRendered(out, path.join(dir, file), cert)).toBeNull();
  }, 30_000);

  it("a broken configuration is reported with HAProxy's reason", async () => {
    const cfg = path.join(dir, "broken.cfg");
    fs.writeFileSync(cfg, "defaults\n    mode http\nfrontend f\n    bind 127.0.0.1:1\n    use_backend nowhere\n");
    expect(await validateConfig(DEFAULT_HAPROXY, cfg)).toMatch(/nowhere/);
  }, 30_000);
});
