/**
 * What `/healthz` and `/readyz` answer, from a snapshot of the agent's state.
 *
 * - `/healthz` (liveness): 503 only while HAProxy, once started, is not running. Waiting for a
 *   first configuration is healthy: restarting the agent would not make one appear.
 * - `/readyz` (readiness): 503 until a configuration is applied, and while HAProxy is not
 *   running. A refused or failing newer document does not make it unready: the last good
 *   configuration keeps serving, and the body says what went wrong.
 */

export interface Problem {
  errors: string[];
  at: string;
}

export interface AgentStatus {
  /** The configuration HAProxy runs, once one was applied. */
  serving?: { gateway: string; revision?: string };
  haproxy:
    | { running: true }
    /** `waitingFor`: an IR is ready to serve, but the HAProxy it is for is not there yet (run by another process). */
    | { running: false; started: false; waitingFor?: string }
    | { running: false; started: true; exit: string; attempt: number; nextAttemptInMs: number };
  /** Why the latest document was refused (it will not be retried). */
  refused?: Problem;
  /** Why applying the latest document failed (it is retried). */
  failing?: Problem & { retryInMs: number };
  /** Certificates left out of the configuration, with the reason (e.g. a Secret not found). */
  missingCertificates?: string[];
}

export interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

function waitingFor(s: AgentStatus): string | undefined {
  return !s.haproxy.running && !s.haproxy.started && s.haproxy.waitingFor ? `waiting for ${s.haproxy.waitingFor}` : undefined;
}

function haproxyDown(s: AgentStatus): string | undefined {
  const h = s.haproxy;
  if (h.running || !h.started) return undefined;
  return `haproxy is not running (${h.exit}); restart attempt ${h.attempt} in ${h.nextAttemptInMs} ms`;
}

export function healthzAnswer(s: AgentStatus): HttpAnswer {
  const down = haproxyDown(s);
  return down ? { status: 503, body: { ok: false, reason: down } } : { status: 200, body: { ok: true } };
}

export function readyzAnswer(s: AgentStatus): HttpAnswer {
  const details = {
    gateway: s.serving?.gateway,
    revision: s.serving?.revision,
    refused: s.refused,
    failing: s.failing,
    missingCertificates: s.missingCertificates?.length ? s.missingCertificates : undefined,
  };
  const notReady = (reason: string): HttpAnswer => ({ status: 503, body: { ready: false, reason, ...details } });
  if (!s.serving) {
    const latest = s.refused ? `the latest IR was refused: ${s.refused.errors[0]}` : s.failing ? `applying it failed: ${s.failing.errors[0]}` : waitingFor(s) ?? "waiting for an IR";
    return notReady(`no configuration applied yet; ${latest}`);
  }
  const down = haproxyDown(s);
  if (down) return notReady(down);
  return { status: 200, body: { ready: true, ...details } };
}
