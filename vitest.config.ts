import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/setup.ts'],
    // Logs show for failing tests only.
    silent: 'passed-only',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: [
            'core/**/*.test.ts',
            'collector/**/*.test.ts',
            'dashboard/**/*.test.{ts,tsx}',
            'server/**/*.test.ts',
            'snippet/**/*.test.ts',
            'browser/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          exclude: ['**/*.outage.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Stops and starts the shared PostgreSQL cluster, so it runs alone, after the rest.
        extends: true,
        test: { name: 'outage', include: ['**/*.outage.test.ts'], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
