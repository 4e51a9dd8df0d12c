export * from "./types";
export { parseIr } from "./parse";
export { normalizePath } from "./path";
export { regexProblem } from "./regex";
export type { ParseResult } from "./parse";
