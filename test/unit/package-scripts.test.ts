import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The npm scripts the README documents; renaming or dropping one breaks the documented commands.
const DOCUMENTED_SCRIPTS = [
  'start',
  'test',
  'sim',
  'lint',
  'bench',
  'bench:core',
  'verify',
  'cluster',
  'crash',
  'build:node',
  'build:renderer',
] as const;

interface PackageJson {
  type?: string;
  scripts?: Record<string, string>;
}

const pkg = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as PackageJson;

describe('package.json', () => {
  it('is an ES module package', () => {
    expect(pkg.type).toBe('module');
  });

  it.each(DOCUMENTED_SCRIPTS)('defines the documented script "%s"', (name) => {
    const command = pkg.scripts?.[name];
    expect(command, `script "${name}" is missing`).toBeTypeOf('string');
    expect(command?.trim()).not.toBe('');
  });
});

describe('npm start (docs/contract.md §1)', () => {
  const start = pkg.scripts?.start ?? '';

  it('builds the node side and the renderer, then runs the Electron launcher', () => {
    const steps = start.split('&&').map((s) => s.trim());
    // One process checks both builds and rebuilds only what changed (scripts/build-node.mjs;
    // `--ui` runs renderer/ensure-built.mjs's check too).
    expect(steps[0]).toBe('node scripts/build-node.mjs --ui');
    expect(pkg.scripts?.['build:node']).toBe('node scripts/build-node.mjs');
    expect(pkg.scripts?.build).toMatch(/scripts\/build-node\.mjs/);
    expect(pkg.scripts?.build).toMatch(/vite build/);
    // The launcher is plain Node: it decides between Electron and the headless web UI.
    expect(steps.at(-1)).toBe('node build/electron/launch.js');
  });

  it('has electron and electron-builder as dev dependencies, never runtime ones', () => {
    const full = pkg as PackageJson & {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    for (const name of ['electron', 'electron-builder']) {
      expect(full.devDependencies?.[name], name).toBeTypeOf('string');
      expect(full.dependencies?.[name], name).toBeUndefined();
    }
  });
});
