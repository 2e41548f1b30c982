/**
 * One HTTP request of a task client: JSON in, JSON out, a timeout, and never a throw — no answer
 * is `null`, which the history records as an unknown outcome.
 */
import type { TaskAnswer, TaskRequest } from './exchange.js';

export async function send(
  baseUrl: string,
  token: string,
  req: TaskRequest,
  timeoutMs: number,
): Promise<TaskAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  if (req.idempotencyKey !== undefined) headers['idempotency-key'] = req.idempotencyKey;
  if (req.ifMatch !== undefined) headers['if-match'] = req.ifMatch;
  const q = req.query.toString();
  try {
    const res = await fetch(`${baseUrl}${req.path}${q === '' ? '' : `?${q}`}`, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, body };
  } catch {
    return null;
  }
}
