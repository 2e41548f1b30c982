/**
 * The datadriven file format (github.com/cockroachdb/datadriven), as etcd-io/raft's interaction
 * tests use it:
 *
 *     # a comment
 *     command arg key=value list=(1,2,3)
 *     ----
 *     expected output, up to the next blank line
 *
 * An expected output that itself contains blank lines is wrapped in a double separator:
 * `----` `----` <output> `----` `----`. Only `#` lines and blank lines may stand between
 * directives; they are kept verbatim when the file is rewritten.
 */

/** `2` → { vals: ['2'] }; `(1,2)` → { vals: ['1','2'] }; `k=v` → { key: 'k', vals: ['v'] }. */
export interface Arg {
  readonly key?: string;
  readonly vals: readonly string[];
}

export interface Directive {
  /** 1-based line of the command, for error messages. */
  readonly line: number;
  readonly text: string;
  readonly cmd: string;
  readonly args: readonly Arg[];
  readonly expected: string;
}

/** A file as text chunks (comments, blank lines, command lines) and directives, in order. */
export type Chunk = { readonly kind: 'text'; readonly text: string } | Directive;

export function isDirective(c: Chunk): c is Directive {
  return !('kind' in c);
}

const SEP = '----';

export function parseFile(src: string, name = 'input'): Chunk[] {
  const lines = src.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const chunks: Chunk[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i];
    if (l.trim() === '' || l.startsWith('#')) {
      chunks.push({ kind: 'text', text: l });
      i++;
      continue;
    }
    const line = i + 1;
    if (lines[i + 1] !== SEP) throw new Error(`${name}:${line}: expected ${SEP} after "${l}"`);
    i += 2;
    const out: string[] = [];
    if (lines[i] === SEP) {
      // Double separator: the output runs until a closing ---- ----.
      i++;
      while (i < lines.length && !(lines[i] === SEP && lines[i + 1] === SEP)) out.push(lines[i++]);
      if (i >= lines.length) throw new Error(`${name}:${line}: unterminated ${SEP} ${SEP} block`);
      i += 2;
    } else {
      while (i < lines.length && lines[i].trim() !== '') out.push(lines[i++]);
    }
    const { cmd, args } = parseCommand(l, `${name}:${line}`);
    chunks.push({ line, text: l, cmd, args, expected: out.join('\n') });
  }
  return chunks;
}

export function parseCommand(text: string, where: string): { cmd: string; args: Arg[] } {
  const tokens = tokenize(text, where);
  const [cmd, ...rest] = tokens;
  return { cmd, args: rest.map(parseArg) };
}

function tokenize(text: string, where: string): string[] {
  const tokens: string[] = [];
  let cur = '';
  let depth = 0;
  let quoted = false;
  for (const ch of text) {
    if (quoted) {
      cur += ch;
      if (ch === '"') quoted = false;
    } else if (ch === '"') {
      cur += ch;
      quoted = true;
    } else if (ch === '(') {
      depth++;
      cur += ch;
    } else if (ch === ')') {
      depth--;
      cur += ch;
    } else if (/\s/.test(ch) && depth === 0) {
      if (cur !== '') tokens.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (quoted || depth !== 0) throw new Error(`${where}: unbalanced quotes or parentheses`);
  if (cur !== '') tokens.push(cur);
  return tokens;
}

function parseArg(tok: string): Arg {
  const eq = tok.startsWith('"') ? -1 : tok.indexOf('=');
  if (eq < 0) return { vals: parseVals(tok) };
  return { key: tok.slice(0, eq), vals: parseVals(tok.slice(eq + 1)) };
}

function parseVals(v: string): string[] {
  if (v.startsWith('(') && v.endsWith(')')) {
    const inner = v.slice(1, -1).trim();
    return inner === '' ? [] : inner.split(',').map((s) => unquote(s.trim()));
  }
  return [unquote(v)];
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? (JSON.parse(s) as string) : s;
}

/** Writes the chunks back, with each directive's output replaced by `outputs[i]`. */
export function formatFile(chunks: readonly Chunk[], outputs: readonly string[]): string {
  const lines: string[] = [];
  let n = 0;
  for (const c of chunks) {
    if (!isDirective(c)) {
      lines.push(c.text);
      continue;
    }
    const out = outputs[n++] ?? c.expected;
    lines.push(c.text);
    if (out.split('\n').some((l) => l.trim() === '')) {
      lines.push(SEP, SEP, out, SEP, SEP);
    } else {
      lines.push(SEP, out);
    }
  }
  return lines.join('\n') + '\n';
}
