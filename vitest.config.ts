import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['collector/**/*.test.ts', 'dashboard/**/*.test.{ts,tsx}', 'snippet/**/*.test.ts', 'browser/**/*.test.ts'],
    globalSetup: ['scripts/test-setup.ts'],
    // Logs show for failing tests only.
    silent: 'passed-only',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
