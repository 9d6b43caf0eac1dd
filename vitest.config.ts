import { defineConfig } from 'vitest/config';

// Each test file gets its own database (PGlite in memory, or a fresh PostgreSQL database when
// DATABASE_URL is set) and its own Redis key prefix, so files run in parallel safely.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
