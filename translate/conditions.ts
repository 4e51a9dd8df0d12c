// Conditions as the controller writes them: no timestamp (the writer keeps or sets it).
export interface StatusCondition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  observedGeneration: number;
}

export function condition(type: string, ok: boolean, reason: string, message: string, observedGeneration: number): StatusCondition {
  return { type, status: ok ? "True" : "False", reason, message, observedGeneration };
}

/** A problem found while translating: becomes a condition's reason and message. */
export interface Problem {
  reason: string;
  message: string;
}

/** The first problem as a False condition, else a True one. */
export function conditionFrom(type: string, problems: readonly Problem[], okReason: string, okMessage: string, generation: number): StatusCondition {
  const first = problems[0];
  if (!first) return condition(type, true, okReason, okMessage, generation);
  return condition(type, false, first.reason, problems.map((p) => p.message).join("; "), generation);
}
