/**
 * The Quick start's two commands do their own set-up (docs/contract.md §1): a Debian package the app or
 * the tests need and the machine lacks is installed with apt-get (as root, or with `sudo -n`)
 * after one line saying so; elsewhere the caller stops with the exact command to type.
 */
import { execFileSync, spawnSync } from 'node:child_process';

function installed(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === 'install ok installed';
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Debian or Ubuntu, where apt-get can install what is missing. */
export function canUseApt(): boolean {
  return has('dpkg-query') && has('apt-get');
}

/** Installs the missing ones among `pkgs`, or throws saying exactly what to run. */
export function ensureDebianPackages(pkgs: readonly string[], why: string): void {
  if (!has('dpkg-query') || !has('apt-get')) {
    throw new Error(`${why}: install ${pkgs.join(', ')} with your system's package manager`);
  }
  const missing = pkgs.filter((p) => !installed(p));
  if (missing.length === 0) return;
  const root = process.getuid?.() === 0;
  const sudo = root ? [] : ['sudo', '-n'];
  if (!root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      `${why}: run \`sudo apt-get install -y ${missing.join(' ')}\` (no root rights here to do it)`,
    );
  }
  process.stderr.write(`raftboard: installing ${missing.join(', ')} with apt-get (${why})\n`);
  const run = (args: string[]): void => {
    const [cmd, ...rest] = [...sudo, 'env', 'DEBIAN_FRONTEND=noninteractive', ...args];
    execFileSync(cmd, rest, { stdio: ['ignore', 'ignore', 'inherit'] });
  };
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
}
