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
