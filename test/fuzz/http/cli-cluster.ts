/**
 * A headless CLI cluster (`node build/cluster/supervisor/cli.js`) for the control API fuzz: 3
 * nodes on databases of an existing MySQL server (external mode: no servers to start, so it is
 * up in seconds), timers 2.5× faster. `stop()` ends it and drops its databases.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropDatabase, withDatabase } from '../../../db/connection.js';
import { killAllOf, RunningCli } from '../../supervisor/cli-harness.js';

/** The repository: the nearest folder with a package.json (this file runs from test/ or build/test/). */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) {
    dir = path.dirname(dir);
  }
  return dir;
}

/** Like cli-harness's startCli, but found from build/ too (the long-run script runs there). */
function startCli(args: readonly string[]): RunningCli {
  const cli = path.join(repoRoot(), 'build', 'cluster', 'supervisor', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} does not exist: npm run build:node first`);
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  return new RunningCli(
    spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env }),
  );
}

export interface CliCluster {
  readonly cli: RunningCli;
  stop(): Promise<void>;
}

let counter = 0;

export async function startCliCluster(mysqlUrl: string): Promise<CliCluster> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-fuzz-cli-'));
  counter += 1;
  const prefix = `rbfz_${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}${counter}`;
  // The server part of the URL; its socket and password file (if any) stay in the query.
  const base = withDatabase(mysqlUrl, '');
  const cli = startCli([
    '--data-dir',
    dataDir,
    '--port',
    '0',
    '--nodes',
    '3',
    '--slow',
    '0.4',
    '--mysql',
    'external',
    '--mysql-url',
    withDatabase(mysqlUrl, `${prefix}_{node}`),
  ]);
  const stop = async (): Promise<void> => {
    if (cli.child.exitCode === null) await cli.stop('SIGTERM');
    killAllOf(dataDir);
    for (const n of [1, 2, 3]) await dropDatabase(base, `${prefix}_${n}`).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await cli.ready();
    await cli.leader(30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { cli, stop };
}
