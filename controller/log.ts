// How much the controller and its bootstrap say. Their messages about what they do and what
// failed (and is retried) are `info`; what stops the process is `error`; each probe answered
// is `debug`.
export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = "info";

function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

/** A log level given as `option` (a flag, or an install option); throws naming the value and the valid ones. */
export function parseLogLevel(value: unknown, option = "--log-level"): LogLevel {
  if (!isLogLevel(value)) throw new Error(`${option} must be one of ${LOG_LEVELS.join(", ")}; got '${value}'`);
  return value;
}

export type Log = (message: string) => void;

/** Writes `<prefix>: message` to `sink` for messages of `level` or more severe; the others are dropped. */
export function leveledLog(threshold: LogLevel, prefix: string, sink: Log = console.error): Record<LogLevel, Log> {
  const at = (level: LogLevel): Log =>
    LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(threshold) ? (m) => sink(`${prefix}: ${m}`) : () => {};
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}
