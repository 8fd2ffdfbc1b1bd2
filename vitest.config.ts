import { defineConfig } from 'vitest/config';

// Three layers: unit (no I/O beyond the process), integration (real protocol peers started in the
// test: the embedded Cosmos server, HTTP simulators), e2e (the local stack as a child process).
export default defineConfig({
  test: {
    globalSetup: ['test/support/globalSetup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 30_000 },
      },
      {
        extends: true,
        // One stack at a time: each file runs `npm start`, which builds into the same dist/.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
