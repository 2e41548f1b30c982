/** `npm run verify` options: defaults, every flag, and clear refusals. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_KINDS, USAGE, parseVerifyArgs } from '../../cluster/verify/nemesis/index.js';

describe('npm run verify -- options', () => {
  it('has sensible defaults', () => {
    expect(parseVerifyArgs([])).toEqual({ out: 'verify-results' });
  });

  it('reads every flag', () => {
    expect(
      parseVerifyArgs([
        '--time',
        '600',
        '--nodes=5',
        '--clients',
        '8',
        '--nemesis',
        'partition,pause,kill,mysql,link',
        '--seed',
        '42',
        '--out',
        'x',
        '--keep-data',
        '--planted-bug',
        'local-reads',
      ]),
    ).toEqual({
      timeS: 600,
      nodes: 5,
      clients: 8,
      nemesis: ['partition', 'pause', 'kill', 'mysql', 'link'],
      seed: 42,
      out: 'x',
      keepData: true,
      plantedBug: 'local-reads',
    });
    expect(parseVerifyArgs(['--nemesis', 'none']).nemesis).toEqual([]);
  });

  it('knows mysql-freeze (issue 12), asked for by name', () => {
    expect(parseVerifyArgs(['--nemesis', 'mysql-freeze,pause']).nemesis).toEqual([
      'mysql-freeze',
      'pause',
    ]);
    expect(USAGE).toMatch(/mysql-freeze/);
    expect(DEFAULT_KINDS).not.toContain('mysql-freeze');
  });

  it('refuses what it does not know, saying what it expects', () => {
    expect(() => parseVerifyArgs(['--nodes', '10'])).toThrow(
      /--nodes must be an integer from 1 to 9/,
    );
    expect(() => parseVerifyArgs(['--time', 'x'])).toThrow(/--time/);
    expect(() => parseVerifyArgs(['--nemesis', 'partition,flood'])).toThrow(
      /unknown kind\(s\) \["flood"\]/,
    );
    expect(() => parseVerifyArgs(['--planted-bug', 'other'])).toThrow(/local-reads/);
    expect(() => parseVerifyArgs(['--fast'])).toThrow(/unknown option "--fast"/);
  });
});
