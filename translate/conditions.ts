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

/** Every problem's message, in one line. */
export function messagesOf(problems: readonly Problem[]): string {
  return problems.map((p) => p.message).join("; ");
}

/** A condition carrying problems (at least one): the first one's reason, every message. */
export function conditionOf(type: string, ok: boolean, problems: readonly Problem[], generation: number): StatusCondition {
  return condition(type, ok, problems[0].reason, messagesOf(problems), generation);
}

/** The problems as a False condition, else a True one. */
export function conditionFrom(type: string, problems: readonly Problem[], okReason: string, okMessage: string, generation: number): StatusCondition {
  return problems.length ? conditionOf(type, false, problems, generation) : condition(type, true, okReason, okMessage, generation);
}
