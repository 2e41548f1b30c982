/**
 * `npm start` (docs/contract.md §1), after the build: the desktop app when an Electron binary can be had,
 * otherwise one line saying why and the headless cluster with its web UI, in this same process
 * (so signals reach the CLI directly and it prints its own ready line). Plain Node: it runs
 * before, and instead of, Electron.
 *
 *   node build/electron/launch.js [cluster options]   # the options reach the headless CLI only
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { downloadFailure, findElectron, realProbe, type ElectronFound } from './find-electron.js';

const here = path.dirname(fileURLToPath(import.meta.url)); // build/electron
const MAIN = path.join(here, 'main.js');
const CLI = path.resolve(here, '..', 'cluster', 'supervisor', 'cli.js');
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

/** Runs the electron package's own installer, quietly; says so only when it takes a while. */
function download(packageDir: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(packageDir, 'install.js')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const slow = setTimeout(
      () => process.stdout.write('Downloading the Electron binary (first start only)...\n'),
      3_000,
    );
    const limit = setTimeout(() => child.kill('SIGKILL'), DOWNLOAD_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(slow);
      clearTimeout(limit);
      resolve(`could not download its binary: ${e.message}`);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(slow);
      clearTimeout(limit);
      if (code === 0) resolve(undefined);
      else resolve(`could not download its binary: ${signal ?? downloadFailure(output)}`);
    });
  });
}

async function locate(): Promise<ElectronFound> {
  const probe = realProbe();
  const found = findElectron(probe);
  if (found.ok || !found.canDownload || probe.packageDir === undefined) return found;
  const failed = await download(probe.packageDir);
  if (failed !== undefined) return { ok: false, reason: failed, canDownload: false };
  return findElectron(realProbe());
}

function runElectron(binary: string): void {
  const env = { ...process.env };
  // Left over from a parent Electron, it would make this one a plain Node.
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [MAIN], { stdio: 'inherit', env });
  // The app stops its cluster on SIGINT/SIGTERM (app.quit); pass ours on and wait for it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (e) => {
    process.stderr.write(`raftboard: cannot run Electron (${binary}): ${e.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 0 : 1)));
}

const found = await locate();
if (found.ok) {
  runElectron(found.path);
} else {
  process.stdout.write(
    `Electron is not available (${found.reason}): running the headless cluster with the web UI instead\n`,
  );
  // The CLI reads process.argv.slice(2): the same arguments this launcher got.
  await import(pathToFileURL(CLI).href);
}
