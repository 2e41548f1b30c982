/**
 * Builds the web UI (build/renderer) when it is missing or older than any of its sources, so that
 * `npm run cluster` from a fresh clone serves the real window rather than the placeholder page, and
 * an unchanged tree is not rebuilt. Plain JavaScript: it runs before anything is compiled.
 *
 *   node renderer/ensure-built.mjs      # from the repository root (npm run cluster runs it through
 *                                       # scripts/build-node.mjs --ui)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the bundle is made of: the renderer and the contract code it imports, and the lock file. */
export const SOURCES = [
  'renderer/src',
  'renderer/index.html',
  'renderer/vite.config.ts',
  'renderer/tsconfig.json',
  'cluster/api',
  'cluster/verify',
  'package-lock.json',
];
export const OUTPUT = 'build/renderer/index.html';

/** The newest modification time (ms) among the files under `target`, or 0 when it is missing. */
function newestMtime(target) {
  let stat;
  try {
    stat = statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(target))
    newest = Math.max(newest, newestMtime(path.join(target, name)));
  return newest;
}

/**
 * Why the UI under `root` must be built, or undefined when the build is newer than every source.
 * Vite writes index.html last, so its time is the build's.
 */
export function staleReason(root) {
  const built = newestMtime(path.join(root, OUTPUT));
  if (built === 0) return 'it is not built yet';
  for (const source of SOURCES) {
    if (newestMtime(path.join(root, source)) > built) return `${source} changed since it was built`;
  }
  return undefined;
}

/**
 * Builds the UI under `root` when it is stale; exits the process when vite fails. Also called by
 * scripts/build-node.mjs --ui, so `npm run cluster` starts one Node for both checks.
 */
export function ensureBuilt(root) {
  const reason = staleReason(root);
  if (reason === undefined) return;
  process.stdout.write(`Building the web UI (${reason})...\n`);
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const config = path.join(root, 'renderer', 'vite.config.ts');
  const run = spawnSync(
    process.execPath,
    [vite, 'build', '--config', config, '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (run.status !== 0) {
    process.stderr.write(`Building the web UI failed (vite exited ${run.status ?? run.signal}).\n`);
    process.exit(1);
  }
}

if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
)
  ensureBuilt(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
