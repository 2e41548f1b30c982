/**
 * Pid files: how a supervisor finds the node processes a crashed earlier run left behind (a
 * node normally exits when its parent's IPC channel closes, but a paused one cannot notice).
 * Two supervisors are kept off the same data dir by a lock (cluster/node/dir-lock.ts), not by a
 * pid file: checking a pid file and then writing it is a race, and a reused pid fools it.
 */
import fs from 'node:fs';

export function writePidFile(file: string, pid: number): void {
  fs.writeFileSync(file, `${pid}\n`);
}

export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function removePidFile(file: string): void {
  fs.rmSync(file, { force: true });
}

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * The process's command line (arguments joined by spaces); undefined without /proc (macOS,
 * Windows), where the pid file is trusted.
 */
export function commandLine(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/**
 * Stops the process named by `file` if it is alive and its command line contains `marker`
 * (pids get reused: never signal a stranger). SIGCONT first (it may be paused), SIGTERM, then
 * SIGKILL after `graceMs`. Returns the pid it stopped, if any; the file is removed.
 */
export async function stopLeftover(
  file: string,
  marker: string,
  graceMs = 5_000,
): Promise<number | undefined> {
  const pid = readPidFile(file);
  if (pid === undefined || pid === process.pid || !isAlive(pid)) {
    removePidFile(file);
    return undefined;
  }
  const cmd = commandLine(pid);
  if (cmd !== undefined && !cmd.includes(marker)) {
    removePidFile(file);
    return undefined;
  }
  signal(pid, 'SIGCONT');
  signal(pid, 'SIGTERM');
  if (!(await waitGone(pid, graceMs))) {
    signal(pid, 'SIGKILL');
    await waitGone(pid, 5_000);
  }
  removePidFile(file);
  return pid;
}
