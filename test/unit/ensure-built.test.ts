/**
 * `npm run cluster` builds the web UI when it is missing or older than its sources
 * (renderer/ensure-built.mjs), so a fresh clone serves the real window, not the placeholder.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain JavaScript build script, checked by these tests rather than by tsc
import { OUTPUT, SOURCES, staleReason } from '../../renderer/ensure-built.mjs';

const stale = staleReason as (root: string) => string | undefined;
let root: string;

function touch(relative: string, secondsAgo: number): void {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, 'x');
  const when = Date.now() / 1000 - secondsAgo;
  utimesSync(file, when, when);
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'ensure-built-'));
  touch('renderer/src/main.tsx', 100);
  touch('cluster/api/task.ts', 100);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the web UI build check', () => {
  it('builds when nothing is built yet', () => {
    expect(stale(root)).toBe('it is not built yet');
  });

  it('does not rebuild an unchanged tree', () => {
    touch(OUTPUT as string, 10);
    expect(stale(root)).toBeUndefined();
  });

  it('rebuilds when a renderer source is newer than the build', () => {
    touch(OUTPUT as string, 10);
    touch('renderer/src/views/Board.tsx', 1);
    expect(stale(root)).toBe('renderer/src changed since it was built');
  });

  it('rebuilds when the contract types the renderer imports changed', () => {
    touch(OUTPUT as string, 10);
    touch('cluster/api/control.ts', 1);
    expect(stale(root)).toBe('cluster/api changed since it was built');
  });

  it('watches every folder outside renderer/ that the renderer imports from', () => {
    const imported = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.tsx?$/.test(entry.name)) {
          const text = readFileSync(full, 'utf8');
          for (const m of text.matchAll(/from '(\.\.\/[^']+)'/g)) {
            const target = path.relative(process.cwd(), path.resolve(dir, m[1] ?? ''));
            if (!target.startsWith('renderer/'))
              imported.add(target.split('/').slice(0, 2).join('/'));
          }
        }
      }
    };
    walk(path.join(process.cwd(), 'renderer', 'src'));
    expect([...imported].filter((folder) => !(SOURCES as string[]).includes(folder))).toEqual([]);
  });
});

describe('npm run cluster', () => {
  it('checks the web UI build before starting the CLI', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      scripts: Record<string, string>;
    };
    const steps = pkg.scripts.cluster?.split('&&').map((s) => s.trim()) ?? [];
    // scripts/build-node.mjs --ui runs ensure-built.mjs's check in its own process.
    expect(steps).toContain('node scripts/build-node.mjs --ui');
    expect(steps.indexOf('node scripts/build-node.mjs --ui')).toBeLessThan(steps.length - 1);
  });
});
