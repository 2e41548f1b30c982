/**
 * `npm run cluster -- [options]`, exactly docs/contract.md §1. Pure: parses argv into options or an
 * error message, so the CLI's contract is unit-tested without starting anything.
 */
import { parseArgs } from 'node:util';
import type { MySqlMode } from '../api/control.js';
import { MAX_SLOW, MIN_SLOW } from './node-config.js';

export interface CliOptions {
  /** undefined: not given (an existing data dir keeps its members; a new one gets 3). */
  readonly nodes: number | undefined;
  readonly mysql: MySqlMode;
  readonly mysqlUrls: readonly string[];
  readonly dataDir: string | undefined;
  readonly port: number;
  readonly token: string | undefined;
  readonly fresh: boolean;
  readonly slow: number;
  readonly help: boolean;
}

export const USAGE = `usage: npm run cluster -- [options]

  --nodes N          number of nodes, 1..9 (default 3; an existing data dir keeps its own)
  --mysql MODE       managed | docker | external (default managed)
  --mysql-url URL    external mode: repeat once per node, or give one URL whose database
                     name contains {node}, e.g. 'mysql://root@127.0.0.1:3306/raftboard_{node}'
  --data-dir DIR     where the cluster lives (default: the OS app-data folder)
  --port P           control API and web UI port on 127.0.0.1 (default 7070, 0 = any free port)
  --token T          API token, at least 16 characters (default: random, printed)
  --fresh            wipe the data dir first
  --slow F           multiply every Raft timer by F, for teaching (${MIN_SLOW}..${MAX_SLOW}, default 1)
  --help             this text`;

export class UsageError extends Error {
  override readonly name: string = 'UsageError';
}

function number(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`${flag} wants a number, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function parseCliArgs(argv: readonly string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        nodes: { type: 'string' },
        mysql: { type: 'string' },
        'mysql-url': { type: 'string', multiple: true },
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        token: { type: 'string' },
        fresh: { type: 'boolean' },
        slow: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let nodes: number | undefined;
  if (values.nodes !== undefined) {
    nodes = number(values.nodes, '--nodes');
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) {
      throw new UsageError(`--nodes must be an integer 1..9, got ${values.nodes}`);
    }
  }
  const mysql = values.mysql ?? 'managed';
  if (mysql !== 'managed' && mysql !== 'docker' && mysql !== 'external') {
    throw new UsageError(
      `--mysql must be managed, docker or external, got ${JSON.stringify(mysql)}`,
    );
  }
  const mysqlUrls = values['mysql-url'] ?? [];
  if (mysql !== 'external' && mysqlUrls.length > 0) {
    throw new UsageError('--mysql-url needs --mysql external');
  }
  if (mysql === 'external' && mysqlUrls.length === 0) {
    throw new UsageError(
      '--mysql external needs --mysql-url (once per node, or one URL with {node} in the database name)',
    );
  }
  const port = values.port === undefined ? 7070 : number(values.port, '--port');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port must be 0..65535, got ${values.port}`);
  }
  const token = values.token;
  if (token !== undefined && (token.length < 16 || /\s/.test(token))) {
    throw new UsageError('--token must be at least 16 characters without spaces');
  }
  const slow = values.slow === undefined ? 1 : number(values.slow, '--slow');
  if (slow < MIN_SLOW || slow > MAX_SLOW) {
    throw new UsageError(`--slow must be ${MIN_SLOW}..${MAX_SLOW}, got ${values.slow}`);
  }
  return {
    nodes,
    mysql,
    mysqlUrls,
    dataDir: values['data-dir'],
    port,
    token,
    fresh: values.fresh ?? false,
    slow,
    help: values.help ?? false,
  };
}
