import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Function logs are JSON lines on stdout; keep test output readable.
    env: { DTS_TRUST_LOG_LEVEL: 'warn' },
    reporters: ['default'],
    // Import CommonJS SDKs exactly as Node's ESM loader does (default import = module.exports), so product code
    // behaves the same under vitest, tsx and the esbuild bundles.
    deps: { interopDefault: false },
    server: { deps: { inline: [] } },
  },
});
