import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Only TypeScript sources under test/; the compiled copies in build/ are never collected.
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['build/**', 'node_modules/**', 'release/**', 'coverage/**'],
    pool: 'forks',
    // Installs what a fresh Debian machine lacks (MariaDB's server binaries), saying so first.
    globalSetup: ['test/support/global-setup.ts'],
    // Simulation sweeps run inside tests; give them room.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
