/**
 * Docker mode: one `mysql` container per node, with a named volume (data survives the
 * container) and its port published on 127.0.0.1 only. Needs a Docker engine that answers;
 * `checkDockerEngine` says clearly when none does, before anything starts.
 *
 * Container and volume names are derived from the cluster's data dir, so a second start finds
 * the same container (and a container left running by a crash is simply reused).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import mysql from 'mysql2/promise';
import { STATE_MACHINE_TUNING } from './tuning.js';

/** The image used unless RAFTBOARD_DOCKER_IMAGE names another. */
export const DEFAULT_DOCKER_IMAGE = 'mysql:8.0';

/** No Docker engine answers (or the client is missing); the message says what to do instead. */
export class DockerUnavailableError extends Error {
  override readonly name: string = 'DockerUnavailableError';
}

export class DockerMySqlError extends Error {
  override readonly name: string = 'DockerMySqlError';
}

const ALTERNATIVES =
  'Start a Docker engine (e.g. `sudo systemctl start docker`), or use --mysql managed (needs ' +
  'MariaDB: `sudo apt-get install mariadb-server`) or --mysql external --mysql-url ' +
  "'mysql://root@127.0.0.1:3306/raftboard_{node}'.";

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly missing: boolean;
}

function docker(args: readonly string[], timeoutMs = 30_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile('docker', args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({
        code,
        stdout: stdout.trim(),
        stderr: stderr.trim(),
        missing: error !== null && error.code === 'ENOENT',
      });
    });
  });
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '') ?? '(no output)';
}

/** Resolves with the engine's version, or throws DockerUnavailableError saying why and what to do. */
export async function checkDockerEngine(): Promise<string> {
  const r = await docker(['version', '--format', '{{.Server.Version}}'], 15_000);
  if (r.missing) {
    throw new DockerUnavailableError(
      `--mysql docker needs the docker command, which is not installed. ${ALTERNATIVES}`,
    );
  }
  if (r.code !== 0 || r.stdout === '') {
    throw new DockerUnavailableError(
      `--mysql docker needs a running Docker engine, but none answers ` +
        `(docker: ${firstLine(r.stderr)}). ${ALTERNATIVES}`,
    );
  }
  return r.stdout;
}

/** `raftboard-<8 hex of the data dir>-n<id>`: stable per cluster and node. */
export function dockerName(clusterDir: string, nodeId: number): string {
  const digest = createHash('sha256').update(clusterDir).digest('hex').slice(0, 8);
  return `raftboard-${digest}-n${nodeId}`;
}

export interface DockerMySqlOptions {
  readonly clusterDir: string;
  readonly nodeId: number;
  /** Published on 127.0.0.1. */
  readonly port: number;
  readonly image?: string | undefined;
  readonly log?: ((line: string) => void) | undefined;
  /** First start may pull the image; default 10 minutes. */
  readonly startTimeoutMs?: number | undefined;
}

/**
 * Starts (creating on first use) the node's container and waits until root can connect.
 * Returns the server URL.
 */
export async function startDockerMySql(opts: DockerMySqlOptions): Promise<string> {
  const log = opts.log ?? (() => undefined);
  const name = dockerName(opts.clusterDir, opts.nodeId);
  const image = opts.image ?? process.env.RAFTBOARD_DOCKER_IMAGE ?? DEFAULT_DOCKER_IMAGE;
  const exists = (await docker(['container', 'inspect', '--format', '{{.Id}}', name])).code === 0;
  if (exists) {
    log(`starting container ${name}`);
    const r = await docker(['start', name], 60_000);
    if (r.code !== 0) {
      throw new DockerMySqlError(`docker start ${name} failed: ${firstLine(r.stderr)}`);
    }
  } else {
    log(`creating container ${name} from ${image} (the first run may pull the image)`);
    const r = await docker(
      [
        'run',
        '--detach',
        '--name',
        name,
        '--volume',
        `${name}:/var/lib/mysql`,
        '--publish',
        `127.0.0.1:${opts.port}:3306`,
        '--env',
        'MYSQL_ALLOW_EMPTY_PASSWORD=yes',
        '--env',
        'MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=1',
        image,
        ...STATE_MACHINE_TUNING,
      ],
      opts.startTimeoutMs ?? 600_000,
    );
    if (r.code !== 0) {
      throw new DockerMySqlError(`docker run for node ${opts.nodeId} failed: ${r.stderr}`);
    }
  }
  const deadline = Date.now() + (opts.startTimeoutMs ?? 600_000);
  let last = '';
  for (;;) {
    try {
      const c = await mysql.createConnection({
        host: '127.0.0.1',
        port: opts.port,
        user: 'root',
        connectTimeout: 2_000,
      });
      await c.end();
      break;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) {
      const logs = await docker(['logs', '--tail', '25', name]);
      throw new DockerMySqlError(
        `container ${name} did not accept connections on 127.0.0.1:${opts.port} (${last}). ` +
          `Its log ends with:\n${logs.stdout}\n${logs.stderr}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  log(`container ${name} ready on 127.0.0.1:${opts.port}`);
  return `mysql://root@127.0.0.1:${opts.port}/`;
}

/** Stops the node's container (kept, with its volume, for the next start). */
export async function stopDockerMySql(clusterDir: string, nodeId: number): Promise<void> {
  const name = dockerName(clusterDir, nodeId);
  const r = await docker(['stop', '--time', '30', name], 60_000);
  if (r.code !== 0 && !/No such container/i.test(r.stderr)) {
    throw new DockerMySqlError(`docker stop ${name} failed: ${firstLine(r.stderr)}`);
  }
}

/**
 * Freezes (`docker pause`: every process of the container in the cgroup freezer) or thaws the
 * node's container: the control room's "Pause MySQL" fault.
 */
export async function pauseDockerMySql(
  clusterDir: string,
  nodeId: number,
  pause: boolean,
): Promise<void> {
  const name = dockerName(clusterDir, nodeId);
  const verb = pause ? 'pause' : 'unpause';
  const r = await docker([verb, name], 30_000);
  if (r.code !== 0)
    throw new DockerMySqlError(`docker ${verb} ${name} failed: ${firstLine(r.stderr)}`);
}

/** Removes the node's container and volume (`--fresh`, a removed node). */
export async function removeDockerMySql(clusterDir: string, nodeId: number): Promise<void> {
  const name = dockerName(clusterDir, nodeId);
  await docker(['rm', '--force', '--volumes', name], 60_000);
  await docker(['volume', 'rm', '--force', name], 60_000);
}
