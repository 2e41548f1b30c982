/**
 * `npm run sim -- --driver node`: the same command line and the same last line as the core
 * driver (`simulated N seeds, T steps, V invariant violations`), exit code 0 without violations.
 * Runs the compiled CLI (npm test builds first).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function sim(args: string[]): { code: number | null; lines: string[] } {
  const r = spawnSync(process.execPath, ['build/cluster/sim/main.js', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, lines: r.stdout.trim().split('\n') };
}

describe('npm run sim -- --driver node', () => {
  it('sweeps seeds and ends with the summary line', () => {
    const r = sim([
      '--driver',
      'node',
      '--seeds',
      '2',
      '--nodes',
      '3',
      '--steps',
      '400',
      '--workers',
      '2',
    ]);
    expect(r.lines[r.lines.length - 1]).toMatch(
      /^simulated 2 seeds, \d+ steps, 0 invariant violations$/,
    );
    expect(r.code).toBe(0);
  });

  it('refuses an unknown driver with exit code 2', () => {
    const r = spawnSync(process.execPath, ['build/cluster/sim/main.js', '--driver', 'nope'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--driver is core or node');
  });
});

describe('the CI sweep of the production node', () => {
  // Issue 13: at least 300 seeds with every fault on, in every CI run (about 30 s on 2 cores).
  it('simulates 300 seeds of 3 production nodes under faults with no violation', () => {
    const r = spawnSync(
      process.execPath,
      ['build/cluster/sim/main.js', '--driver', 'node', '--seeds', '300', '--workers', '2'],
      { encoding: 'utf8', timeout: 600_000 },
    );
    const lines = r.stdout.trim().split('\n');
    expect(lines[lines.length - 1], r.stdout.slice(-3000)).toMatch(
      /^simulated 300 seeds, \d+ steps, 0 invariant violations$/,
    );
    expect(r.status).toBe(0);
  }, 600_000);
});
