/**
 * Runs every scenario in test/scenarios/testdata/*.txt (one test per file) and compares each
 * command's output with the expected text under its `----`.
 *
 * To regenerate the expected outputs in place after a deliberate change, run
 *
 *     REWRITE=1 npx vitest run test/scenarios
 *
 * and review the diff (git diff test/scenarios/testdata) before committing it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rewrite, runFile } from './runner.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const FILES = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.txt'))
  .sort();
const REWRITE = process.env.REWRITE === '1';

describe('raft scenarios', () => {
  it('finds scenario files', () => {
    expect(FILES.length).toBeGreaterThan(0);
  });

  for (const file of FILES) {
    it(file, () => {
      const full = path.join(DIR, file);
      const src = fs.readFileSync(full, 'utf8');
      const result = runFile(src, `testdata/${file}`);
      if (REWRITE) {
        fs.writeFileSync(full, rewrite(result));
        return;
      }
      for (const { directive: d, actual } of result.results) {
        expect(actual, `testdata/${file}:${d.line}: ${d.text}`).toBe(d.expected);
      }
    });
  }
});
