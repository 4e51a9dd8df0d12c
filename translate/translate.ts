import { Snapshot, TranslateOptions, TranslateResult } from "./types";

/** Every data plane's IR and every status, from one snapshot. Deterministic. */
export function translate(snapshot: Snapshot, options: TranslateOptions): TranslateResult {
  void snapshot;
  void options;
  return { dataplanes: [], statuses: [], warnings: [] };
}
