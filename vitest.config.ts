import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    // After the suite: nothing labelled `sagespec` is left on the Docker engine.
    globalSetup: ['test/support/global-docker.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
