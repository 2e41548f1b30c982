/**
 * `npm run bench -- [options]`. Pure: argv in, options (or a UsageError) out, so the command
 * line is unit-tested without starting anything.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../supervisor/args.js';
import { SCENARIOS, type ScenarioName } from './report/results.js';
import type { Settings } from './scenarios/context.js';

// One usage error for every command line (the same class `npm run cluster` throws).
export { UsageError };

export interface BenchOptions {
  readonly only: readonly ScenarioName[];
  readonly compare: 'etcd' | undefined;
  readonly out: string;
  readonly settings: Settings;
  readonly help: boolean;
}

export const USAGE = `usage: npm run bench -- [options]

  --compare etcd        also run a 3-member etcd on loopback with the same load (installs
                        Debian's etcd-server with apt-get when etcd is missing)
  --only LIST           scenarios, comma-separated: ${SCENARIOS.join(', ')} (default all)
  --quick               shorter runs: 3 s per load row, 5 failover trials, 10 s steady load,
                        2,000 catch-up entries
  --seconds S           seconds per write and read row (default 10)
  --trials N            failover trials (default 20)
  --steady-seconds S    steady load with no faults (default 60)
  --catchup-entries N   writes while a follower is stopped (default 10000)
  --clients LIST        concurrent clients of the write rows (default 1,16,64)
  --out DIR             where the report goes (default bench-results)
  --help                this text

The Raft core microbenchmark is npm run bench:core.`;

function positive(
  value: string | undefined,
  flag: string,
  fallback: number,
  integer: boolean,
): number {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new UsageError(
      `${flag} wants a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value)}`,
    );
  }
  return v;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        compare: { type: 'string' },
        only: { type: 'string' },
        quick: { type: 'boolean' },
        seconds: { type: 'string' },
        trials: { type: 'string' },
        'steady-seconds': { type: 'string' },
        'catchup-entries': { type: 'string' },
        clients: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.compare !== undefined && values.compare !== 'etcd') {
    throw new UsageError(`--compare takes etcd, got ${JSON.stringify(values.compare)}`);
  }
  let only: ScenarioName[] = [...SCENARIOS];
  if (values.only !== undefined) {
    const names = values.only
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const unknown = names.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
    if (unknown.length > 0 || names.length === 0) {
      throw new UsageError(
        `--only: unknown scenario(s) ${unknown.join(', ') || '(none given)'}; choose from ${SCENARIOS.join(', ')}`,
      );
    }
    only = names as ScenarioName[];
  }
  const quick = values.quick ?? false;
  let clients = [1, 16, 64];
  if (values.clients !== undefined) {
    clients = values.clients.split(',').map((c) => positive(c, '--clients', 1, true));
  }
  const seconds = positive(values.seconds, '--seconds', quick ? 3 : 10, false);
  return {
    only,
    compare: values.compare === 'etcd' ? 'etcd' : undefined,
    out: values.out ?? 'bench-results',
    help: values.help ?? false,
    settings: {
      clients,
      writeSeconds: seconds,
      readSeconds: seconds,
      readClients: 16,
      steadySeconds: positive(values['steady-seconds'], '--steady-seconds', quick ? 10 : 60, false),
      steadyClients: 16,
      catchupEntries: positive(
        values['catchup-entries'],
        '--catchup-entries',
        quick ? 2_000 : 10_000,
        true,
      ),
      failoverTrials: positive(values.trials, '--trials', quick ? 5 : 20, true),
    },
  };
}
