/** Waiting: sleeping, racing a promise against a deadline, and polling until a check holds. */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `p` settles (resolves) within `ms`. */
export async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function describeValue(v: unknown): string {
  if (v instanceof Error) return v.message;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** What a poll may return: anything but undefined/false/null means "done". */
export type Check<T> = () => T | undefined | null | false | Promise<T | undefined | null | false>;

/**
 * Polls `check` until it returns something other than undefined/false/null, and returns that.
 * A check that throws (e.g. an `expect` inside it) counts as "not yet". On timeout the error says
 * `what` and the last state: the last error thrown, or the last value returned, plus `extra()`.
 */
export async function waitFor<T>(
  check: Check<T>,
  timeoutMs: number,
  what: string,
  opts: { intervalMs?: number; extra?: () => Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = 'never checked';
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== null && v !== false) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) break;
    await sleep(opts.intervalMs ?? 50);
  }
  let extra = '';
  if (opts.extra) extra = await opts.extra().catch((e: unknown) => `(${describeValue(e)})`);
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}; last state: ${describeValue(last)}` +
      (extra ? `\n${extra}` : ''),
  );
}
