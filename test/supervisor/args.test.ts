/** The CLI's options, exactly docs/contract.md §1, parsed without starting anything. */
import { describe, expect, it } from 'vitest';
import { UsageError, parseCliArgs } from '../../cluster/supervisor/args.js';

describe('npm run cluster options', () => {
  it('has the documented defaults', () => {
    expect(parseCliArgs([])).toEqual({
      nodes: undefined,
      mysql: 'managed',
      mysqlUrls: [],
      dataDir: undefined,
      port: 7070,
      token: undefined,
      fresh: false,
      slow: 1,
      help: false,
    });
  });

  it('takes every option', () => {
    const o = parseCliArgs([
      '--nodes',
      '5',
      '--mysql',
      'external',
      '--mysql-url',
      'mysql://root@127.0.0.1:3306/a',
      '--mysql-url',
      'mysql://root@127.0.0.1:3306/b',
      '--data-dir',
      '/tmp/x',
      '--port',
      '0',
      '--token',
      'abcdefghijklmnop',
      '--fresh',
      '--slow',
      '4',
    ]);
    expect(o).toMatchObject({
      nodes: 5,
      mysql: 'external',
      mysqlUrls: ['mysql://root@127.0.0.1:3306/a', 'mysql://root@127.0.0.1:3306/b'],
      dataDir: '/tmp/x',
      port: 0,
      token: 'abcdefghijklmnop',
      fresh: true,
      slow: 4,
    });
  });

  it.each([
    [['--nodes', '0'], /--nodes must be an integer 1..9/],
    [['--nodes', '10'], /--nodes must be an integer 1..9/],
    [['--nodes', 'three'], /--nodes wants a number/],
    [['--mysql', 'sqlite'], /--mysql must be managed, docker or external/],
    [['--mysql', 'external'], /--mysql external needs --mysql-url/],
    [['--mysql-url', 'mysql://x/'], /--mysql-url needs --mysql external/],
    [['--port', '70000'], /--port must be 0..65535/],
    [['--token', 'short'], /at least 16 characters/],
    [['--slow', '0'], /--slow must be/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
