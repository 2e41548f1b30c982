/**
 * Compiles the Node program (cluster/, db/, electron/, test/ → build/) only when something
 * changed, so `npm run cluster`, `npm test`, `npm run bench`... do not recompile an unchanged
 * tree (issue 15). Plain JavaScript: it runs before anything is compiled.
 *
 *   node scripts/build-node.mjs            # from the repository root (the npm scripts do this)
 *   node scripts/build-node.mjs --ui       # and the web UI when it is stale (ensure-built.mjs)
 *
 * Three steps:
 * 1. A quick check that loads no TypeScript: when the stamp this script wrote after its last
 *    successful build lists exactly the sources there are now, and none of them (nor a tsconfig
 *    or the lock file) is newer than the stamp, there is nothing to do (about 50 ms).
 * 2. Otherwise `tsc -b` on tsconfig.build.json (tsconfig.json with `incremental`): TypeScript's
 *    own up-to-date check, and when something changed it re-checks the program but re-emits
 *    only the files whose output changes.
 * 3. Outputs whose source was deleted are removed: tsc never deletes anything, and a stale
 *    build/…/x.js of a deleted x.ts would otherwise still be importable and runnable.
 *
 * Invariant: the stamp is written only after tsc succeeded, with the time the check *started*,
 * so a source saved while tsc was running is newer than the stamp and is built next time.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../renderer/ensure-built.mjs';
import { bundleNode, bundleStaleReason } from './bundle-node.mjs';

/** Source extension → the extensions tsc emits for it (with source maps). */
const EMITS = {
  '.ts': ['.js', '.js.map'],
  '.mts': ['.mjs', '.mjs.map'],
  '.cts': ['.cjs', '.cjs.map'],
};
const SOURCE_OF = Object.fromEntries(
  Object.entries(EMITS).flatMap(([source, outs]) => outs.map((out) => [out, source])),
);
export const STAMP = '.node-build-stamp.json';

/**
 * What one project is: `root` (absolute), its `config` (tsconfig.json: `include` of the form
 * `dir/**\/*.ts`, `outDir`), and the build config tsc -b runs (it extends `config`).
 */
export function projectOf(root, config = 'tsconfig.json', buildConfig = 'tsconfig.build.json') {
  const parsed = JSON.parse(readFileSync(path.join(root, config), 'utf8'));
  const dirs = [...new Set(parsed.include.map((pattern) => pattern.split('/')[0]))];
  const outDir = path.join(root, parsed.compilerOptions.outDir);
  return { root, config, buildConfig, dirs, outDir };
}

/** Every TypeScript source under the project's source folders, relative to root, sorted. */
function listSources(project) {
  const out = [];
  const walk = (rel) => {
    for (const entry of readdirSync(path.join(project.root, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(child);
      } else if (sourceExt(entry.name) !== undefined) out.push(child);
    }
  };
  for (const dir of project.dirs) if (existsSync(path.join(project.root, dir))) walk(dir);
  return out.sort();
}

function sourceExt(name) {
  if (name.endsWith('.d.ts')) return undefined;
  return Object.keys(EMITS).find((ext) => name.endsWith(ext));
}

/** Why the project must be compiled, or undefined when the last build is still current. */
export function staleReason(project) {
  const stampFile = path.join(project.outDir, STAMP);
  let stamp;
  try {
    stamp = {
      mtimeMs: statSync(stampFile).mtimeMs,
      ...JSON.parse(readFileSync(stampFile, 'utf8')),
    };
  } catch {
    return 'it was not built by this script yet';
  }
  const sources = listSources(project);
  if (sources.join('\n') !== (stamp.sources ?? []).join('\n'))
    return 'sources were added or removed';
  const inputs = [...sources, project.config, project.buildConfig, 'package-lock.json'];
  for (const rel of inputs) {
    let mtime;
    try {
      mtime = statSync(path.join(project.root, rel)).mtimeMs;
    } catch {
      continue; // no lock file in a test project
    }
    if (mtime >= stamp.mtimeMs) return `${rel} changed since it was built`;
  }
  return undefined;
}

/** Deletes outputs under outDir whose source no longer exists; returns them (relative to root). */
export function pruneOrphans(project) {
  const removed = [];
  const walk = (dirAbs) => {
    let entries;
    try {
      entries = readdirSync(dirAbs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const abs = path.join(dirAbs, entry.name);
      if (entry.isDirectory()) {
        walk(abs);
        continue;
      }
      const outExt = Object.keys(SOURCE_OF).find((ext) => entry.name.endsWith(ext));
      if (outExt === undefined) continue;
      const rel = path.relative(project.outDir, abs);
      const source = rel.slice(0, -outExt.length) + SOURCE_OF[outExt];
      if (!existsSync(path.join(project.root, source))) {
        rmSync(abs);
        removed.push(path.relative(project.root, abs));
      }
    }
  };
  // Only tsc's own folders: another tool's output under outDir (build/renderer) is left alone.
  for (const dir of project.dirs) walk(path.join(project.outDir, dir));
  return removed;
}

/**
 * Builds `project` when stale, and with `bundle` also the node bundle (bundle-node.mjs) when it
 * is older than what it is made from. Returns what it did: `{ built: false }`, or `{ built:
 * true, reason, removed }`; throws when tsc fails (its diagnostics are on stdout).
 */
export async function buildNode(project, { log = () => undefined, bundle = false } = {}) {
  const checkStarted = Date.now();
  const reason = staleReason(project) ?? (bundle ? bundleStaleReason(project.outDir) : undefined);
  if (reason === undefined) return { built: false };
  log(`Compiling the Node program (${reason})...`);
  const tsc = path.join(project.root, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '-b', project.buildConfig], {
    cwd: project.root,
    stdio: 'inherit',
  });
  if (run.status !== 0) throw new Error(`tsc exited ${run.status ?? run.signal}`);
  const removed = pruneOrphans(project);
  if (bundle) await bundleNode(project.root, project.outDir);
  const stampFile = path.join(project.outDir, STAMP);
  writeFileSync(stampFile, JSON.stringify({ sources: listSources(project) }));
  const when = checkStarted / 1000;
  utimesSync(stampFile, when, when);
  return { built: true, reason, removed };
}

async function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  try {
    const result = await buildNode(projectOf(root), {
      log: (m) => process.stderr.write(`${m}\n`),
      bundle: true,
    });
    for (const file of result.removed ?? []) process.stderr.write(`removed stale ${file}\n`);
  } catch (e) {
    process.stderr.write(`Compiling the Node program failed (${e.message}).\n`);
    process.exit(1);
  }
  // --ui: the web UI's check too (renderer/ensure-built.mjs), in this process.
  if (process.argv.includes('--ui')) ensureBuilt(root);
}

if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
)
  await main();
