/**
 * The Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header; docs/contract.md §4).
 * The draft makes the value an RFC 8941 sf-string (`"abc"`); the bare form (`abc`) that clients
 * have always sent stays accepted and names the same key. Shared by the node (parsing), the
 * Electron host (writing the header) and the IPC schema (the key's bounds).
 *
 * A key is 1 to 255 printable ASCII characters: 0x20 (space) to 0x7E, exactly sf-string's
 * character set, so every key can be written in the quoted form and nothing else is a key.
 */

export const IDEMPOTENCY_KEY_MAX = 255;

/** 1 to 255 characters from space to `~`. */
export const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

export type ParsedKey =
  { readonly ok: true; readonly key: string } | { readonly ok: false; readonly reason: string };

const RULE =
  'must be 1 to 255 printable ASCII characters (space to ~), bare or as a quoted sf-string ' +
  'such as "my key"';

/**
 * The key a header value names. A value starting with `"` is the sf-string form: it must end
 * with the closing quote (no parameters), and inside it `\"` and `\\` stand for `"` and `\`;
 * any other backslash, or a lone `"`, is refused as the RFC says. Any other value is the key
 * as it is. HTTP has already cut the whitespace around the value.
 */
export function parseIdempotencyKeyValue(value: string): ParsedKey {
  const trimmed = value.replace(/^[ \t]+|[ \t]+$/g, '');
  let key: string;
  if (trimmed.startsWith('"')) {
    const inner = unquote(trimmed);
    if (inner === null) {
      return { ok: false, reason: `${RULE}; a quoted key escapes only \\" and \\\\` };
    }
    key = inner;
  } else {
    key = trimmed;
  }
  return IDEMPOTENCY_KEY.test(key) ? { ok: true, key } : { ok: false, reason: RULE };
}

/** The inside of an sf-string that is the whole of `text`, or null (RFC 8941 §4.2.5). */
function unquote(text: string): string | null {
  let out = '';
  for (let i = 1; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next !== '"' && next !== '\\') return null;
      out += next;
      i++;
    } else if (ch === '"') {
      return i === text.length - 1 ? out : null;
    } else {
      out += ch;
    }
  }
  return null; // no closing quote
}

/**
 * The header value for `key` (a valid key): bare when that reads back as the same key, else
 * the quoted form (a key that starts with `"` or has a space at either end).
 */
export function idempotencyKeyHeader(key: string): string {
  if (!key.startsWith('"') && key.trim() === key) return key;
  return `"${key.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}
