import { describe, expect, it } from 'vitest';
import { formatFile, isDirective, parseFile } from './parse.js';

describe('datadriven parsing', () => {
  it('reads commands, arguments and expected outputs, keeping comments', () => {
    const src = [
      '# comment',
      '',
      'partition (1,2) (3) drop=true key=(a, b) "quoted arg"',
      '----',
      'line 1',
      'line 2',
      '',
      'heal',
      '----',
      'ok',
      '',
    ].join('\n');
    const chunks = parseFile(src);
    const ds = chunks.filter(isDirective);
    expect(ds.map((d) => [d.line, d.cmd, d.expected])).toEqual([
      [3, 'partition', 'line 1\nline 2'],
      [8, 'heal', 'ok'],
    ]);
    expect(ds[0].args).toEqual([
      { vals: ['1', '2'] },
      { vals: ['3'] },
      { key: 'drop', vals: ['true'] },
      { key: 'key', vals: ['a', 'b'] },
      { vals: ['quoted arg'] },
    ]);
    expect(
      formatFile(
        chunks,
        ds.map((d) => d.expected),
      ),
    ).toBe(src);
  });

  it('writes and reads an output with blank lines between double separators', () => {
    const chunks = parseFile('cmd\n----\nold\n');
    const out = formatFile(chunks, ['a\n\nb']);
    expect(out).toBe('cmd\n----\n----\na\n\nb\n----\n----\n');
    const again = parseFile(out).filter(isDirective);
    expect(again[0].expected).toBe('a\n\nb');
  });

  it('rejects a command without its separator', () => {
    expect(() => parseFile('cmd\nnot a separator\n', 'f.txt')).toThrow('f.txt:1');
  });
});
