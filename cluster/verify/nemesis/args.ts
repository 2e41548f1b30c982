/**
 * `npm run verify -- [--time S] [--nodes N] [--clients C] [--nemesis a,b] [--seed X]
 * [--out DIR] [--keep-data] [--planted-bug local-reads]`
 */
import { NEMESIS_KINDS, DEFAULT_KINDS, type NemesisKind } from './faults.js';
import type { VerifyOptions } from './run.js';

export interface CliOptions extends VerifyOptions {
  readonly out: string;
}

export const USAGE = `usage: npm run verify -- [options]
  --time S          seconds of clients and faults (default 60)
  --nodes N         cluster size, 1..9 (default 5)
  --clients C       concurrent clients, 1..64 (default 8)
  --nemesis LIST    comma-separated: ${NEMESIS_KINDS.join(', ')}; or "none"
                    (default ${DEFAULT_KINDS.join(',')})
  --seed X          seed of the nemesis and the clients (default random; printed)
  --out DIR         where the report goes (default verify-results)
  --keep-data       keep the cluster's data dir (printed) for inspection
  --planted-bug B   TEST-ONLY: run the nodes with a planted bug (local-reads)`;

function int(name: string, raw: string | undefined, lo: number, hi: number): number {
  const v = Number(raw);
  if (raw === undefined || !Number.isInteger(v) || v < lo || v > hi) {
    throw new Error(`${name} must be an integer from ${lo} to ${hi}, got ${JSON.stringify(raw)}`);
  }
  return v;
}

export function parseVerifyArgs(argv: readonly string[]): CliOptions {
  const o: {
    -readonly [K in keyof CliOptions]: CliOptions[K];
  } = { out: 'verify-results' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=')
      ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
      : [a, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--time':
        o.timeS = int('--time', value(), 1, 24 * 3600);
        break;
      case '--nodes':
        o.nodes = int('--nodes', value(), 1, 9);
        break;
      case '--clients':
        o.clients = int('--clients', value(), 1, 64);
        break;
      case '--seed':
        o.seed = int('--seed', value(), 0, 2 ** 31 - 1);
        break;
      case '--out': {
        const v = value();
        if (v === undefined || v === '') throw new Error('--out needs a directory');
        o.out = v;
        break;
      }
      case '--keep-data':
        o.keepData = true;
        break;
      case '--planted-bug': {
        const v = value();
        if (v !== 'local-reads')
          throw new Error(`--planted-bug knows only local-reads, got ${JSON.stringify(v)}`);
        o.plantedBug = v;
        break;
      }
      case '--nemesis': {
        const v = value() ?? '';
        if (v === 'none') {
          o.nemesis = [];
          break;
        }
        const kinds = v
          .split(',')
          .map((k) => k.trim())
          .filter((k) => k !== '');
        const bad = kinds.filter((k) => !(NEMESIS_KINDS as readonly string[]).includes(k));
        if (kinds.length === 0 || bad.length > 0) {
          throw new Error(
            `--nemesis: unknown kind(s) ${JSON.stringify(bad)}; use ${NEMESIS_KINDS.join(', ')}`,
          );
        }
        o.nemesis = [...new Set(kinds)] as NemesisKind[];
        break;
      }
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option ${JSON.stringify(a)}\n${USAGE}`);
    }
  }
  return o;
}
