import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // 2-core machine: real transports (pty, jackd, chromium) are timing-sensitive; keep parallelism modest.
    maxWorkers: 2,
    // Heap-growth tests (the audio path must not allocate) collect garbage before measuring.
    execArgv: ['--expose-gc'],
    reporters: process.env.VITEST_JSON ? ['default', ['json', { outputFile: process.env.VITEST_JSON }]] : ['default'],
  },
});
