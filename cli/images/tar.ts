// Image layers as tar files: reproducible (fixed owner, time and order), with PAX records for
// long names. Headers are pure; writeTar streams the files and hashes what it writes.
import { createHash } from "crypto";
import * as fs from "fs";

export type TarEntry =
  | { type: "dir"; path: string; mode: number }
  | { type: "file"; path: string; mode: number; size: number; source: string }
  | { type: "symlink"; path: string; target: string };

const BLOCK = 512;

function field(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value, offset, length, "utf8");
}

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  field(buf, offset, length, value.toString(8).padStart(length - 1, "0") + "\0");
}

/** One ustar header block. `name` must fit in 100 bytes (longer names go in a PAX record). */
function ustarHeader(name: string, typeflag: string, mode: number, size: number, linkname = ""): Buffer {
  const h = Buffer.alloc(BLOCK);
  field(h, 0, 100, name);
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, size);
  octal(h, 136, 12, 0); // mtime: reproducible layers
  h.fill(" ", 148, 156); // checksum counted as spaces
  field(h, 156, 1, typeflag);
  field(h, 157, 100, linkname);
  field(h, 257, 6, "ustar\0");
  field(h, 263, 2, "00");
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}

/** A PAX record "<len> key=value\n", where len counts the whole record. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

const padding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** The header blocks of one entry (a PAX header first when a name or link is too long). */
function entryHeader(entry: TarEntry): Buffer {
  const name = entry.type === "dir" ? entry.path.replace(/\/?$/, "/") : entry.path;
  const link = entry.type === "symlink" ? entry.target : "";
  const records = (Buffer.byteLength(name) > 100 ? paxRecord("path", name) : "") + (Buffer.byteLength(link) > 100 ? paxRecord("linkpath", link) : "");
  const parts: Buffer[] = [];
  if (records) {
    const data = Buffer.from(records);
    parts.push(ustarHeader("PaxHeader", "x", 0o644, data.length), data, padding(data.length));
  }
  const short = (s: string) => Buffer.from(s).subarray(0, 100).toString();
  if (entry.type === "dir") parts.push(ustarHeader(short(name), "5", entry.mode, 0));
  else if (entry.type === "symlink") parts.push(ustarHeader(short(name), "2", 0o777, 0, short(link)));
  else parts.push(ustarHeader(short(name), "0", entry.mode, entry.size));
  return Buffer.concat(parts);
}

/** Writes the entries (in the order given) to `out`; returns the tar's sha256 and size. */
export async function writeTar(entries: TarEntry[], out: string): Promise<{ digest: string; size: number }> {
  const hash = createHash("sha256");
  const fd = fs.openSync(out, "w");
  let size = 0;
  const write = (b: Buffer) => {
    fs.writeSync(fd, b);
    hash.update(b);
    size += b.length;
  };
  try {
    const chunk = Buffer.alloc(1 << 20);
    for (const e of entries) {
      write(entryHeader(e));
      if (e.type !== "file") continue;
      const src = fs.openSync(e.source, "r");
      try {
        let left = e.size;
        while (left > 0) {
          const n = fs.readSync(src, chunk, 0, Math.min(chunk.length, left), null);
          if (n === 0) throw new Error(`${e.source} became shorter while it was read`);
          write(chunk.subarray(0, n));
          left -= n;
        }
      } finally {
        fs.closeSync(src);
      }
      write(padding(e.size));
    }
    write(Buffer.alloc(BLOCK * 2));
  } finally {
    fs.closeSync(fd);
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}
