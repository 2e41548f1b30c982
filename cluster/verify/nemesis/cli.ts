/**
 * `npm run verify`: one nemesis run, a report in verify-results/, a one-line verdict; exit 0
 * when no anomaly was found, 1 on any anomaly, 2 when the run itself could not be made.
 */
import path from 'node:path';
import { USAGE, parseVerifyArgs } from './args.js';
import { outageLine } from './outage.js';
import { verdictLine, writeReport } from './report.js';
import { runVerify } from './run.js';

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let opts;
  try {
    opts = parseVerifyArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const t0 = Date.now();
  const log = (line: string): void => {
    process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  };
  const result = await runVerify({ ...opts, log });
  const { html } = writeReport(result, path.resolve(opts.out));
  for (const a of result.anomalies) log(`ANOMALY ${a.kind}: ${a.message}`);
  process.stdout.write(`${outageLine(result.writeOutage)}\n`);
  process.stdout.write(`${verdictLine(result, path.relative(process.cwd(), html))}\n`);
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`verify: could not run: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(2);
  },
);
