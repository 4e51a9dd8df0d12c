// Writes crds/*.yaml from crdManifests(). Run from the repository root:
//   npm run build && node dist/model/gen-crds.js [output-dir]
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { crdFileName, crdManifests } from "./crds";

export const REGENERATE_COMMAND = "npm run build && node dist/model/gen-crds.js";

/** The files as they should be committed: name and YAML text. */
export function renderCrdFiles(): { name: string; content: string }[] {
    return crdManifests().map((manifest) => ({
        name: crdFileName(manifest),
        content: `# Generated from model/crds.ts; do not edit. Regenerate with: ${REGENERATE_COMMAND}\n` + stringify(manifest, { lineWidth: 0 }),
    }));
}

function main(outputDir: string): void {
    fs.mkdirSync(outputDir, { recursive: true });
    const files = renderCrdFiles();
    const wanted = new Set(files.map((f) => f.name));
    // Drop files of CRDs that no longer exist, so the directory matches the code.
    for (const name of fs.readdirSync(outputDir)) {
        if (name.endsWith(".yaml") && !wanted.has(name)) fs.unlinkSync(path.join(outputDir, name));
    }
    for (const file of files) {
        fs.writeFileSync(path.join(outputDir, file.name), file.content);
    }
    process.stdout.write(`wrote ${files.length} CRDs to ${outputDir}\n`);
}

if (require.main === module) {
    main(path.resolve(process.argv[2] ?? "crds"));
}
