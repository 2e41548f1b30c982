/**
 * The npm scripts compile the Node program only when something changed (scripts/build-node.mjs,
 * issue 15): a second build of an unchanged tree rewrites nothing, an edited source is rebuilt,
 * and the output of a deleted source is removed rather than left to be run. Real tsc on a small
 * project in a temp dir.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain JavaScript build script, checked by these tests rather than by tsc
import { buildNode, projectOf } from '../../scripts/build-node.mjs';

interface BuildResult {
  readonly built: boolean;
  readonly reason?: string;
  readonly removed?: readonly string[];
}
interface Project {
  readonly root: string;
}
const build = buildNode as (project: Project) => Promise<BuildResult>;
const project = projectOf as (root: string) => Project;

const repo = path.resolve(import.meta.dirname, '..', '..');
let root: string;

function write(relative: string, text: string): void {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Every output file's modification time, keyed by its path under out/. */
function outputTimes(): Map<string, number> {
  const times = new Map<string, number>();
  for (const rel of ['src/a.js', 'src/a.js.map', 'src/b.js', 'src/b.js.map']) {
    const file = path.join(root, 'out', rel);
    if (existsSync(file)) times.set(rel, statSync(file).mtimeMs);
  }
  return times;
}

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'build-node-'));
  symlinkSync(path.join(repo, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  write(
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        rootDir: '.',
        outDir: 'out',
        strict: true,
        sourceMap: true,
        types: [],
      },
      include: ['src/**/*.ts'],
    }),
  );
  write(
    'tsconfig.build.json',
    JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: { incremental: true, tsBuildInfoFile: 'out/.tsbuildinfo' },
    }),
  );
  write('package.json', JSON.stringify({ type: 'module' }));
  write('src/a.ts', 'export const a: number = 1;\n');
  write('src/b.ts', "import { a } from './a.js';\nexport const b = a + 1;\n");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the incremental build of the Node program', () => {
  it('builds a tree that was never built', async () => {
    const result = await build(project(root));
    expect(result.built).toBe(true);
    expect(readFileSync(path.join(root, 'out/src/b.js'), 'utf8')).toContain('a + 1');
  });

  it('rewrites nothing when nothing changed', async () => {
    const before = outputTimes();
    expect(before.size).toBe(4);
    expect((await build(project(root))).built).toBe(false);
    expect(outputTimes()).toEqual(before);
  });

  it('rebuilds an edited source', async () => {
    write('src/b.ts', "import { a } from './a.js';\nexport const b = a + 2;\n");
    const result = await build(project(root));
    expect(result.built).toBe(true);
    expect(readFileSync(path.join(root, 'out/src/b.js'), 'utf8')).toContain('a + 2');
    expect((await build(project(root))).built).toBe(false);
  });

  it('removes the output of a deleted source, so nothing stale is run', async () => {
    write('src/b.ts', 'export const b = 2;\n');
    unlinkSync(path.join(root, 'src/a.ts'));
    const result = await build(project(root));
    expect(result.built).toBe(true);
    expect(result.removed).toEqual(['out/src/a.js', 'out/src/a.js.map']);
    expect(existsSync(path.join(root, 'out/src/a.js'))).toBe(false);
    expect(existsSync(path.join(root, 'out/src/b.js'))).toBe(true);
  });

  it('fails, and builds again next time, when a source does not compile', async () => {
    write('src/b.ts', "export const b: number = 'two';\n");
    await expect(build(project(root))).rejects.toThrow(/tsc exited/);
    write('src/b.ts', 'export const b: number = 3;\n');
    expect((await build(project(root))).built).toBe(true);
    expect(readFileSync(path.join(root, 'out/src/b.js'), 'utf8')).toContain('b = 3');
  });
});
