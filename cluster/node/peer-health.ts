/**
 * Is a peer's MySQL up? Asked over the peer's client API (GET /status, with the cluster token,
 * as forwarded writes are), so a leader whose own MySQL is sick hands leadership only to a node
 * that can apply, and the Raft messages stay as they are.
 */
import type { NodeStatus } from '../api/node.js';

/** Long enough for a busy node on loopback; the caller asks again a little later anyway. */
const ASK_TIMEOUT_MS = 1_000;

export async function peerMySqlUp(clientUrl: string, token: string): Promise<boolean> {
  try {
    const res = await fetch(`${clientUrl.replace(/\/+$/, '')}/status`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(ASK_TIMEOUT_MS),
    });
    if (!res.ok) return false;
    const body = (await res.json()) as Partial<NodeStatus>;
    return body.mysql?.status === 'up';
  } catch {
    return false;
  }
}
