/**
 * `LOWER()` as MariaDB applies it to utf8mb4 text, for the in-memory store's `q` filter: a
 * simple (one code point to one code point) mapping of BMP characters; characters beyond the
 * BMP are left as they are. JavaScript's `toLowerCase` is the full Unicode mapping instead
 * (`İ` becomes two code points, a final `Σ` depends on its neighbours), so it is applied to one
 * code point at a time and only its first code point kept. Case tables of different Unicode
 * versions may still differ on rare letters.
 */
export function likeLower(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch.codePointAt(0)! > 0xffff) {
      out += ch;
      continue;
    }
    const lower = ch.toLowerCase();
    out += lower.length === 1 ? lower : String.fromCodePoint(lower.codePointAt(0)!);
  }
  return out;
}
