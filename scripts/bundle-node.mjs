/**
 * Bundles the compiled node program (build/cluster/node/main.js and everything it imports,
 * npm packages included) into build/bundle/node/main.mjs with esbuild, which Vite installs,
 * and the supervisor's command line (cluster/supervisor/cli.js) into cli.mjs beside it; the
 * code both use goes into shared chunks. cli.mjs finds build/renderer and the node program
 * two folders up, as cli.js does.
 * Loading one file instead of resolving and reading ~600 modules halves a node's start-up
 * (issue 15, cluster/node/PERFORMANCE.md "Third pass"). A dynamic `import()` (umzug in
 * db/migrate.ts) becomes a chunk of its own, still loaded only when it is needed.
 *
 * The supervisor runs the bundle only while it is current (cluster/supervisor/node-main.ts):
 * `inputs.json` lists the compiled files it was made from, and a bundle older than any of them
 * (someone ran `tsc` by hand since) is ignored in favour of build/cluster/node/main.js.
 */
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

export const BUNDLE_DIR = 'bundle/node';
export const BUNDLE_MAIN = 'main.mjs';
export const BUNDLE_INPUTS = 'inputs.json';

/**
 * Sequelize's other dialects, required only when such a dialect is chosen; they are not
 * installed. Left as run-time requires that never run.
 */
const OPTIONAL = [
  'pg',
  'pg-hstore',
  'pg-native',
  'sqlite3',
  'tedious',
  'mariadb',
  'oracledb',
  'ibm_db',
  'snowflake-sdk',
  '@swc/core',
];

/**
 * Why the bundle under `outDir` must be made again, or undefined when it is newer than every
 * compiled file it was made from.
 */
export function bundleStaleReason(outDir) {
  const dir = path.join(outDir, BUNDLE_DIR);
  let built;
  let inputs;
  try {
    built = statSync(path.join(dir, BUNDLE_MAIN)).mtimeMs;
    inputs = JSON.parse(readFileSync(path.join(dir, BUNDLE_INPUTS), 'utf8'));
  } catch {
    return 'the node bundle is missing';
  }
  for (const rel of inputs) {
    let mtime;
    try {
      mtime = statSync(path.join(outDir, rel)).mtimeMs;
    } catch {
      return `${rel} is gone`;
    }
    if (mtime > built) return `${rel} is newer than the node bundle`;
  }
  return undefined;
}

/** A chunk another build made stays this long: a node still running imports it on first use. */
const OLD_CHUNK_MS = 24 * 60 * 60 * 1000;

/**
 * Removes the files of earlier builds from `dir`, once they are a day old. Chunk names carry a
 * hash of their content, so a rebuild makes new names; a node of a cluster that is still running
 * loads its lazy chunks (the migrator, the import and export code) by the old names on first use,
 * and must still find them.
 */
function removeOldChunks(dir, outputs) {
  const current = new Set(outputs.map((o) => path.basename(o)));
  const cutoff = Date.now() - OLD_CHUNK_MS;
  for (const name of readdirSync(dir)) {
    if (current.has(name) || name === BUNDLE_INPUTS) continue;
    const file = path.join(dir, name);
    if (statSync(file).mtimeMs < cutoff) rmSync(file, { force: true });
  }
}

/** Makes build/bundle/node from `outDir`'s compiled node program; `root` holds node_modules. */
export async function bundleNode(root, outDir) {
  const { build } = await import('esbuild');
  const dir = path.join(outDir, BUNDLE_DIR);
  mkdirSync(dir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    // The supervisor's command line too (`npm run cluster` runs it): half its start-up, too.
    entryPoints: {
      main: path.join(outDir, 'cluster', 'node', 'main.js'),
      cli: path.join(outDir, 'cluster', 'supervisor', 'cli.js'),
    },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: OPTIONAL,
    // The CommonJS packages inside (sequelize, mysql2) call require(); an ES module has none.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs)
    .map((input) => path.relative(outDir, path.resolve(root, input)))
    .filter((rel) => !rel.startsWith('..'))
    .sort();
  writeFileSync(path.join(dir, BUNDLE_INPUTS), JSON.stringify(inputs));
  removeOldChunks(dir, Object.keys(result.metafile.outputs));
  // The main file last, so its time is the bundle's (bundleStaleReason compares against it).
  const main = path.join(dir, BUNDLE_MAIN);
  const now = new Date();
  utimesSync(main, now, now);
  return { inputs: inputs.length };
}
