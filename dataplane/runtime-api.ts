/** HAProxy's runtime API (the stats socket) and master CLI: one command per connection. */
import * as net from "net";

export function socketCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = net.createConnection(socketPath);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`runtime API: no answer to '${command}' within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on("connect", () => sock.end(`${command}\n`));
    sock.on("data", (d) => chunks.push(d));
    sock.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

/** Answers of `set server` that mean it worked (it is silent, or says what changed). */
export function isSetServerSuccess(answer: string): boolean {
  const text = answer.trim();
  return text === "" || /^(IP changed|no need to change|port changed)/.test(text);
}

/** Runs `set server` commands in order; the first failure (or a socket that does not answer) stops and is returned. */
export async function runSetServerCommands(socketPath: string, commands: string[]): Promise<{ ok: true } | { ok: false; command: string; answer: string }> {
  for (const command of commands) {
    let answer: string;
    try {
      answer = await socketCommand(socketPath, command);
    } catch (e) {
      return { ok: false, command, answer: (e as Error).message };
    }
    if (!isSetServerSuccess(answer)) return { ok: false, command, answer: answer.trim() };
  }
  return { ok: true };
}

/** `show stat` CSV into objects keyed by column name. */
export function parseShowStat(csv: string): Record<string, string>[] {
  const lines = csv.split("\n").filter((l) => l.trim() !== "");
  if (!lines.length || !lines[0].startsWith("# ")) return [];
  const columns = lines[0].slice(2).split(",");
  return lines.slice(1).map((line) => {
    const cells = line.split(",");
    const row: Record<string, string> = {};
    columns.forEach((c, i) => { if (c) row[c] = cells[i] ?? ""; });
    return row;
  });
}
