/**
 * The headless cluster: `npm run cluster -- [options]` (docs/contract.md §1). Starts the control API,
 * then the supervisor; prints progress while provisioning and starting, then exactly one line
 * `Raftboard ready: http://127.0.0.1:PORT/?token=TOKEN`. SIGINT/SIGTERM stop the nodes and the
 * managed MySQL servers cleanly. Exit codes: 0 stopped cleanly, 1 could not start, 2 bad usage.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterEvent } from '../api/control.js';
import { USAGE, UsageError, parseCliArgs, type CliOptions } from './args.js';
import { startControlServer, type ControlServer } from './control-api/server.js';
import { defaultDataDir } from './layout.js';
import { Supervisor } from './supervisor.js';
import { findMariaDbBinaries } from '../../db/provision/mariadb.js';
import { canUseApt, ensureDebianPackages } from '../../db/provision/system-packages.js';

const started = Date.now();

function say(line: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  process.stdout.write(`[${t}s] ${line}\n`);
}

function uiDir(): string | undefined {
  // build/cluster/supervisor/cli.js → build/renderer
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'renderer');
  return fs.existsSync(path.join(dir, 'index.html')) ? dir : undefined;
}

/** What the terminal shows of the event stream: progress, faults, elections, errors. */
function printEvent(event: ClusterEvent): void {
  switch (event.type) {
    case 'progress':
      say(event.message);
      break;
    case 'election':
      say(
        `n${event.leaderId} leads in term ${event.term}` +
          (event.durationMs === null ? '' : ` (election took ${event.durationMs} ms)`),
      );
      break;
    case 'fault':
      say(
        `${event.action}${event.nodeId === undefined ? '' : ` n${event.nodeId}`}: ` +
          (event.ok ? (event.detail ?? 'done') : `failed: ${event.error ?? '?'}`),
      );
      break;
    case 'error':
      say(`error: ${event.message}`);
      break;
    default:
      break;
  }
}

/**
 * Managed mode needs MariaDB's server binaries. On Debian/Ubuntu, install them (saying so) rather
 * than fail; elsewhere, or without root rights, the supervisor's preflight says what to do.
 */
function ensureManagedMySql(): void {
  try {
    findMariaDbBinaries();
  } catch {
    if (!canUseApt()) return;
    try {
      ensureDebianPackages(['mariadb-server'], 'each node runs its own MariaDB server');
    } catch (e) {
      say((e as Error).message);
    }
  }
}

async function main(opts: CliOptions): Promise<number> {
  const dataDir = path.resolve(opts.dataDir ?? defaultDataDir());
  if (opts.mysql === 'managed') ensureManagedMySql();
  const supervisor = new Supervisor({
    dataDir,
    nodes: opts.nodes,
    mysqlMode: opts.mysql,
    mysqlUrls: opts.mysqlUrls,
    token: opts.token,
    fresh: opts.fresh,
    slow: opts.slow,
  });
  supervisor.events.subscribe(printEvent);

  let api: ControlServer | undefined;
  let stopping: Promise<number> | undefined;
  const stop = (why: string): Promise<number> =>
    (stopping ??= (async () => {
      say(`${why}: stopping`);
      await api?.close();
      await supervisor.shutdown();
      return 0;
    })());
  let firstSignalAt: number | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    // `npm run` forwards the terminal's SIGINT to us, which got it from the terminal too: a
    // repeat within 2 s is that echo, not the user insisting.
    if (firstSignalAt !== undefined && Date.now() - firstSignalAt < 2_000) return;
    if (firstSignalAt !== undefined) {
      // A second Ctrl-C: leave now. Nodes exit when our IPC channel closes; a MariaDB left
      // running is found through its pid file and stopped on the next start.
      process.stderr.write('raftboard: stopping at once\n');
      process.exit(130);
    }
    firstSignalAt = Date.now();
    void stop(sig).then((code) => process.exit(code));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    api = await startControlServer({
      supervisor,
      port: opts.port,
      uiDir: uiDir(),
      log: (m) => say(`control API: ${m}`),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'EADDRINUSE'
        ? `port ${opts.port} on 127.0.0.1 is in use: pass --port 0 (any free port) or another port`
        : err.message;
    process.stderr.write(`raftboard: ${why}\n`);
    return 1;
  }
  say(`control API listening on ${api.url}`);
  try {
    await supervisor.start();
  } catch (e) {
    if (stopping !== undefined) return stopping;
    process.stderr.write(`raftboard: cannot start the cluster: ${(e as Error).message}\n`);
    await api.close();
    return 1;
  }
  if (stopping !== undefined) return stopping;
  process.stdout.write(
    `Raftboard ready: ${api.url}/?token=${encodeURIComponent(supervisor.token)}\n`,
  );
  return new Promise<number>(() => undefined);
}

let options: CliOptions;
try {
  options = parseCliArgs(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`raftboard: ${e.message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
main(options).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`raftboard: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
