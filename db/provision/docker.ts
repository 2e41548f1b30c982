/**
 * Docker mode: one `mysql` container per node, with a named volume (data survives the
 * container) and its port published on 127.0.0.1 only. Needs a Docker engine that answers;
 * `checkDockerEngine` says clearly when none does, before anything starts.
 *
 * The published port is reachable by every local user, so root has a random password (kept
 * 0600 in the node's directory, access.ts), handed to the image's entrypoint through the docker
 * client's environment (`--env NAME` without a value), never on a command line. A container an
 * older version created with an empty root password gets the password at its next start.
 *
 * Container and volume names are derived from the cluster's data dir, so a second start finds
 * the same container (and a container left running by a crash is simply reused).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { formatMySqlUrl } from '../connection.js';
import { loginAsRoot, rootPassword, setRootPassword } from './access.js';
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

function docker(
  args: readonly string[],
  timeoutMs = 30_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Ran> {
  return new Promise((resolve) => {
    const options = { timeout: timeoutMs, encoding: 'utf8' as const, env };
    execFile('docker', args, options, (error, stdout, stderr) => {
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
  /** root's password: read from this file, or created there (0600) on first use. */
  readonly passwordFile: string;
  readonly image?: string | undefined;
  readonly log?: ((line: string) => void) | undefined;
  /** First start may pull the image; default 10 minutes. */
  readonly startTimeoutMs?: number | undefined;
}

/** The variables that carry root's password into the container (mysql and mariadb images). */
export const PASSWORD_VARIABLES = ['MYSQL_ROOT_PASSWORD', 'MARIADB_ROOT_PASSWORD'] as const;

/**
 * `docker run` arguments for a node's container: the port on loopback only, root's password
 * named by variable (its value comes from the docker client's environment, see dockerEnv), no
 * empty-password variables.
 */
export function dockerRunArgs(name: string, port: number, image: string): string[] {
  return [
    'run',
    '--detach',
    '--name',
    name,
    '--volume',
    `${name}:/var/lib/mysql`,
    '--publish',
    `127.0.0.1:${port}:3306`,
    ...PASSWORD_VARIABLES.flatMap((v) => ['--env', v]),
    image,
    ...STATE_MACHINE_TUNING,
  ];
}

/** The docker client's environment with root's password in PASSWORD_VARIABLES. */
export function dockerEnv(
  password: string,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const v of PASSWORD_VARIABLES) env[v] = password;
  return env;
}

/** The URL the node uses for its container: loopback port, password from the file. */
export function dockerServerUrl(port: number, passwordFile: string): string {
  return formatMySqlUrl({
    host: '127.0.0.1',
    port,
    user: 'root',
    socketPath: undefined,
    passwordFile,
  });
}

/**
 * Starts (creating on first use) the node's container and waits until root can connect with
 * the password of `passwordFile`. Returns the server URL.
 */
export async function startDockerMySql(opts: DockerMySqlOptions): Promise<string> {
  const log = opts.log ?? (() => undefined);
  const name = dockerName(opts.clusterDir, opts.nodeId);
  const image = opts.image ?? process.env.RAFTBOARD_DOCKER_IMAGE ?? DEFAULT_DOCKER_IMAGE;
  const password = rootPassword(opts.passwordFile);
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
      dockerRunArgs(name, opts.port, image),
      opts.startTimeoutMs ?? 600_000,
      dockerEnv(password),
    );
    if (r.code !== 0) {
      throw new DockerMySqlError(`docker run for node ${opts.nodeId} failed: ${r.stderr}`);
    }
  }
  const deadline = Date.now() + (opts.startTimeoutMs ?? 600_000);
  let last = '';
  const where = { host: '127.0.0.1', port: opts.port };
  let passwordSet = false;
  for (;;) {
    const login = await loginAsRoot(where, password);
    if (login.ok) break;
    last = login.error;
    // A container created by an older version: root has an empty password until now.
    if (login.denied && !passwordSet && (await setRootPassword(where, password))) {
      passwordSet = true;
      log(`gave root of container ${name} the password kept in ${opts.passwordFile}`);
      continue;
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
  return dockerServerUrl(opts.port, opts.passwordFile);
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
