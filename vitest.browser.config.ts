// The Chromium lane: vitest browser mode driving Debian's chromium through Playwright (no browser download).
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { LANES } from './test/lanes.js';

/** $CHROMIUM (set by .ci/run), else the first Chromium-family browser on PATH. */
function chromium(): string {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  const names = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of names) if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`no Chromium found: install one (apt-get install chromium) or set CHROMIUM to its path; looked for ${names.join(', ')} on PATH`);
}

const lane = LANES.chromium;
const localhost = '127.0.0.1'; // the dev server and the browser API stay off every other interface

export default defineConfig({
  cacheDir: '.cache/vite',
  server: {
    host: localhost,
    // cross-origin isolation, so SharedArrayBuffer (threads, later) exists in the tests as it would for users who set it
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  },
  test: {
    include: lane.include,
    exclude: ['**/node_modules/**', ...lane.exclude],
    provide: { expectedRuntime: lane.runtime, expectedLane: 'chromium' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false, // CI reads text; screenshots would land in test/__screenshots__
      api: { host: localhost },
      provider: playwright({
        launchOptions: {
          executablePath: chromium(),
          // no sandbox: CI runs as root; the rest keeps Chromium from calling Google's services
          args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync'],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
