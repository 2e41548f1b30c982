/**
 * `npm run bench -- [--compare etcd] [--only …] [--quick]`: starts a 3-node Raftboard cluster
 * with managed MySQL (and, with --compare etcd, a 3-member etcd), runs the scenarios against each
 * in turn, prints the Markdown report and writes bench.{json,md} and bench-latency.svg into the
 * output folder. Exit codes: 0 done (targets met or not), 1 a system or scenario failed, 2 usage.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findMariaDbBinaries } from '../../db/provision/mariadb.js';
import { USAGE, UsageError, parseBenchArgs, type BenchOptions } from './args.js';
import { markdown } from './report/markdown.js';
import type { BenchReport, Machine, SystemResult } from './report/results.js';
import { ratios, targets } from './report/verdicts.js';
import { writeReport } from './report/write.js';
import { runSystem } from './scenarios/run.js';
import { EtcdTarget, ensureEtcd } from './targets/etcd.js';
import { RaftboardTarget } from './targets/raftboard.js';
import type { BenchTarget } from './targets/target.js';

const began = Date.now();

function say(line: string): void {
  const t = ((Date.now() - began) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[${t}s] ${line}\n`);
}

function versionOf(bin: string): string | undefined {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0].trim() : undefined;
}

function machine(etcdBin: string | undefined, loadAvgStart: number): Machine {
  let mysqlVersion: string | undefined;
  try {
    mysqlVersion = versionOf(findMariaDbBinaries().server)?.replace(/^.*Ver\s+/, 'MariaDB ');
  } catch {
    mysqlVersion = undefined;
  }
  const etcdVersion =
    etcdBin === undefined ? undefined : /etcd Version: (\S+)/.exec(versionOf(etcdBin) ?? '')?.[1];
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    memoryGb: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAvgStart,
    loadAvgEnd: os.loadavg()[0],
    ...(etcdVersion === undefined ? {} : { etcdVersion }),
    ...(mysqlVersion === undefined ? {} : { mysqlVersion }),
  };
}

async function main(opts: BenchOptions): Promise<number> {
  const loadAvgStart = os.loadavg()[0];
  const etcdBin = opts.compare === 'etcd' ? ensureEtcd(say) : undefined;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-bench-'));
  const systems: SystemResult[] = [];
  // Ctrl-C or SIGTERM: stop whichever cluster is running (nodes, MariaDB, etcd) and leave
  // nothing behind, rather than finish the scenario first.
  let current: BenchTarget | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    say(`${signal}: stopping the cluster and deleting its data`);
    void (current?.destroy() ?? Promise.resolve())
      .catch(() => undefined)
      .finally(() => {
        fs.rmSync(work, { recursive: true, force: true });
        process.exit(130);
      });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    say(`Raftboard: 3 nodes, managed MariaDB, in ${work}`);
    current = new RaftboardTarget(path.join(work, 'raftboard'), say);
    systems.push(await runSystem(current, opts.only, opts.settings, say));
    if (etcdBin !== undefined) {
      say(`etcd: 3 members on 127.0.0.1 (${etcdBin})`);
      current = new EtcdTarget(etcdBin, path.join(work, 'etcd'));
      systems.push(await runSystem(current, opts.only, opts.settings, say));
    }
    current = undefined;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const [rb, etcd] = systems;
  const s = opts.settings;
  const report: BenchReport = {
    date: new Date().toISOString(),
    durationS: (Date.now() - began) / 1000,
    machine: machine(etcdBin, loadAvgStart),
    settings: {
      scenarios: opts.only.join(','),
      clients: s.clients.join(','),
      secondsPerRow: s.writeSeconds,
      readClients: s.readClients,
      steadySeconds: s.steadySeconds,
      steadyClients: s.steadyClients,
      catchupEntries: s.catchupEntries,
      failoverTrials: s.failoverTrials,
    },
    systems,
    ratios: etcd === undefined ? [] : ratios(rb, etcd),
    targets: targets(rb, etcd),
  };
  const files = writeReport(report, opts.out);
  process.stdout.write(markdown(report));
  say(
    `wrote ${[files.markdown, files.json, files.chart].filter((f) => f !== undefined).join(', ')}`,
  );
  const failed = systems.some((x) => Object.keys(x.errors).length > 0);
  return failed ? 1 : 0;
}

let opts: BenchOptions;
try {
  opts = parseBenchArgs(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`${e.message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
main(opts).then(
  (code) => process.exit(code),
  (e: unknown) => {
    say(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
