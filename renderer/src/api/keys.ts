/**
 * Idempotency-Keys: one per user action, reused by every retry of that action. A UUID is
 * printable ASCII of 36 characters, inside the node's 1..128 visible-character rule.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID needs a secure context; 127.0.0.1 is one, but keep a fallback for odd embeddings.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
