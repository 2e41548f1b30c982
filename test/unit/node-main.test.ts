/**
 * The supervisor forks the node bundle only while it is current (cluster/supervisor/node-main.ts):
 * a bundle older than a compiled file it was made from would run old code.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleIsCurrent } from '../../cluster/supervisor/node-main.js';

let build: string;
const bundle = (): string => path.join(build, 'bundle', 'node');

function file(relative: string, secondsAgo: number, text = 'x'): void {
  const abs = path.join(build, relative);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  const when = Date.now() / 1000 - secondsAgo;
  utimesSync(abs, when, when);
}

beforeEach(() => {
  build = mkdtempSync(path.join(os.tmpdir(), 'node-main-'));
  file('cluster/node/main.js', 100);
  file('db/statemachine.js', 100);
  file(
    'bundle/node/inputs.json',
    10,
    JSON.stringify(['cluster/node/main.js', 'db/statemachine.js']),
  );
  file('bundle/node/main.mjs', 10);
});
afterEach(() => rmSync(build, { recursive: true, force: true }));

describe('choosing the node program', () => {
  it('runs the bundle when it is newer than everything it was made from', () => {
    expect(bundleIsCurrent(build, bundle())).toBe(true);
  });

  it('runs the compiled files when one was compiled again after the bundle', () => {
    file('db/statemachine.js', 1);
    expect(bundleIsCurrent(build, bundle())).toBe(false);
  });

  it('runs the compiled files when an input is gone or the list is missing', () => {
    rmSync(path.join(build, 'db/statemachine.js'));
    expect(bundleIsCurrent(build, bundle())).toBe(false);
    file('db/statemachine.js', 100);
    rmSync(path.join(bundle(), 'inputs.json'));
    expect(bundleIsCurrent(build, bundle())).toBe(false);
  });
});
