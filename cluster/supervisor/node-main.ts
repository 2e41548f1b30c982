/**
 * Which file the supervisor forks as a node. The bundle (build/bundle/node/main.mjs, made by
 * scripts/bundle-node.mjs with every npm build) loads in about a third of the time of
 * build/cluster/node/main.js and its ~600 modules, so it is preferred — but only while it is
 * current: a bundle older than any compiled file it was made from (someone ran `tsc` by hand
 * since) would run old code, so then the unbundled program runs instead.
 * RAFTBOARD_NODE_BUNDLE=0 always runs the unbundled one (A/B measurements, debugging with
 * source maps).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The build/ folder: this file runs as build/cluster/supervisor/node-main.js, or from source. */
function buildDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = path.resolve(here, '..', '..');
  return fs.existsSync(path.join(up, 'cluster', 'node', 'main.js')) ? up : path.join(up, 'build');
}

/** True when `dir/main.mjs` is newer than every file `dir/inputs.json` lists (under `build`). */
export function bundleIsCurrent(build: string, dir: string): boolean {
  try {
    const built = fs.statSync(path.join(dir, 'main.mjs')).mtimeMs;
    const inputs = JSON.parse(fs.readFileSync(path.join(dir, 'inputs.json'), 'utf8')) as unknown;
    if (!Array.isArray(inputs) || inputs.length === 0) return false;
    return inputs.every(
      (rel) => typeof rel === 'string' && fs.statSync(path.join(build, rel)).mtimeMs <= built,
    );
  } catch {
    return false;
  }
}

export function defaultNodeMain(env: NodeJS.ProcessEnv = process.env): string {
  const build = buildDir();
  const bundle = path.join(build, 'bundle', 'node');
  if (env.RAFTBOARD_NODE_BUNDLE !== '0' && bundleIsCurrent(build, bundle))
    return path.join(bundle, 'main.mjs');
  return path.join(build, 'cluster', 'node', 'main.js');
}
