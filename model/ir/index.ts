export * from "./types";
export { parseIr } from "./parse";
export type { ParseResult } from "./parse";
