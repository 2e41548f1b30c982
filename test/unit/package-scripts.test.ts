import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The npm scripts the README documents; renaming or dropping one breaks the documented commands.
const DOCUMENTED_SCRIPTS = [
  'start',
  'test',
  'sim',
  'lint',
  'bench',
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
