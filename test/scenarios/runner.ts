/**
 * Runs a scenario file: every directive's command against one fresh {@link Env}, collecting
 * each one's output to compare with (or write over) the expected text under its `----`.
 */
import { Args } from './args.js';
import { driveCommands } from './commands/drive.js';
import { inspectCommands } from './commands/inspect.js';
import { networkCommands } from './commands/network.js';
import { nodeCommands } from './commands/nodes.js';
import type { Handler } from './commands/types.js';
import { Env } from './env.js';
import { formatFile, isDirective, parseFile, type Chunk, type Directive } from './parse.js';

export const COMMANDS: Readonly<Record<string, Handler>> = {
  ...nodeCommands,
  ...driveCommands,
  ...networkCommands,
  ...inspectCommands,
};

export interface DirectiveResult {
  readonly directive: Directive;
  readonly actual: string;
}

export interface FileResult {
  readonly chunks: readonly Chunk[];
  readonly results: readonly DirectiveResult[];
}

/** Runs one command and returns its output. */
export function runDirective(env: Env, d: Directive, where: string): string {
  const handler = COMMANDS[d.cmd];
  if (!handler) throw new Error(`${where}: unknown command "${d.cmd}"`);
  const args = new Args(d, where);
  try {
    handler(env, args);
    args.done();
  } catch (e) {
    env.takeOutput();
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(msg.startsWith(where) ? msg : `${where}: ${d.text}: ${msg}`, { cause: e });
  }
  return env.takeOutput();
}

/** Runs every directive of a scenario file, in order, against one fresh environment. */
export function runFile(src: string, name: string): FileResult {
  const chunks = parseFile(src, name);
  const env = new Env();
  const results: DirectiveResult[] = [];
  for (const c of chunks) {
    if (!isDirective(c)) continue;
    results.push({ directive: c, actual: runDirective(env, c, `${name}:${c.line}`) });
  }
  return { chunks, results };
}

/** The file's text with every expected output replaced by the actual one. */
export function rewrite(r: FileResult): string {
  return formatFile(
    r.chunks,
    r.results.map((x) => x.actual),
  );
}
