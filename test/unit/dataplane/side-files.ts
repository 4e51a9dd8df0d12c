import { RenderedConfig } from "../../../dataplane/render";

/** Maps, crt-lists and the files each certificate is made of, as one text, file by file. */
export function sideFiles(out: RenderedConfig): string {
  const files: Record<string, string> = { ...out.maps };
  for (const [name, text] of Object.entries(out.crtLists)) files[`certs/${name}`] = text;
  for (const [name, src] of Object.entries(out.certificates)) files[`certs/${name}`] = `${src.certificateFile}\n${src.keyFile}\n`;
  return Object.entries(files).sort(([a], [b]) => a.localeCompare(b)).map(([file, text]) => `### ${file}\n${text}`).join("");
}
