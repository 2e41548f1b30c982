/**
 * "Ready" means every started node serves reads (docs/contract.md §1, issue 12 hole 7): a leader
 * that accepts writes is not enough, because a follower whose MySQL is still connecting answers
 * a linearizable read with 503 for a few seconds more. `waitServing` asks every node for one
 * linearizable read until each has answered 200, within a bound, and says why each one that did
 * not could not.
 */

export interface ServingTarget {
  readonly id: number;
  readonly clientUrl: string;
  /** False for a member whose process is not running: it cannot serve, nothing to wait for. */
  readonly running: boolean;
  /** Why it is not running (its process status). */
  readonly status: string;
}

export interface NotServing {
  readonly id: number;
  readonly reason: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The node's own words for a refusal: `{ error, message }` (docs/contract.md §4). */
function refusal(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === 'string') return `HTTP ${status}: ${body.message}`;
  } catch {
    // not JSON
  }
  return `HTTP ${status}`;
}

/** One linearizable read on the node: undefined when it answered 200, else why not. */
export async function readProblem(clientUrl: string, token: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${clientUrl}/tasks?limit=1&consistency=linearizable`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    return res.ok ? undefined : refusal(res.status, text);
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Polls every running target until each has answered one linearizable read with 200, or until
 * `timeoutMs`; returns the ones that did not (with the last answer), and every target that is
 * not running. `abort` is checked between rounds (a shutdown during start-up).
 */
export async function waitServing(
  targets: () => readonly ServingTarget[],
  token: string,
  timeoutMs: number,
  abort: () => void = () => undefined,
): Promise<NotServing[]> {
  const deadline = Date.now() + timeoutMs;
  const served = new Set<number>();
  const last = new Map<number, string>();
  for (;;) {
    abort();
    const now = targets();
    const pending = now.filter((t) => t.running && !served.has(t.id));
    await Promise.all(
      pending.map(async (t) => {
        const problem = await readProblem(t.clientUrl, token);
        if (problem === undefined) served.add(t.id);
        else last.set(t.id, problem);
      }),
    );
    const missing = now.filter((t) => !t.running || !served.has(t.id));
    if (missing.every((t) => !t.running) || Date.now() >= deadline) {
      return missing.map((t) => ({
        id: t.id,
        reason: t.running ? (last.get(t.id) ?? 'no answer') : `its process is ${t.status}`,
      }));
    }
    await sleep(200);
  }
}
