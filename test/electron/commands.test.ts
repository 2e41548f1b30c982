/** Menu commands for the page: the import file read in main, and the push. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IMPORT_MAX_BYTES, readImportFile, sendCommand } from '../../electron/commands.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-commands-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('menu commands', () => {
  it('reads a picked file into an import command with its name', () => {
    const file = path.join(dir, 'todoist.csv');
    fs.writeFileSync(file, 'TYPE,CONTENT\ntask,Buy milk\n');
    expect(readImportFile(file)).toEqual({
      type: 'import',
      name: 'todoist.csv',
      text: 'TYPE,CONTENT\ntask,Buy milk\n',
    });
  });

  it('refuses a file past the import limit without reading it', () => {
    const file = path.join(dir, 'huge.json');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, IMPORT_MAX_BYTES + 1); // sparse: no real 16 MiB written
    expect(() => readImportFile(file)).toThrow(/huge.json is \d+ bytes; at most/);
  });

  it('pushes to a live page only', () => {
    const sent: unknown[][] = [];
    const page = { send: (...a: unknown[]) => void sent.push(a), isDestroyed: () => false };
    expect(sendCommand(page, { type: 'export', format: 'csv' })).toBe(true);
    expect(sent).toEqual([['raftboard-shell:command', { type: 'export', format: 'csv' }]]);
    expect(
      sendCommand({ ...page, isDestroyed: () => true }, { type: 'export', format: 'json' }),
    ).toBe(false);
    expect(sendCommand(undefined, { type: 'export', format: 'json' })).toBe(false);
  });
});
