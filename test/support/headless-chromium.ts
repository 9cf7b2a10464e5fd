import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The names Debian's package (and others) install the browser under. */
const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome'] as const;

/** The headless browser on this machine: `CHROMIUM_PATH`, or the first candidate on PATH; undefined when none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.CHROMIUM_PATH;
  if (explicit) return explicit;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    for (const name of CANDIDATES) {
      const path = join(dir, name);
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Flags that make Chromium run headless as root in a container, without a GPU, a profile or the network. */
function headlessFlags(profileDir: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--no-first-run',
    '--disable-extensions',
    '--disable-background-networking',
    `--user-data-dir=${profileDir}`,
  ];
}

/** Load `url` in headless Chromium and return the DOM as the browser built it (`--dump-dom`). */
export async function dumpDom(browser: string, url: string, profileDir: string): Promise<string> {
  const { stdout } = await run(browser, [...headlessFlags(profileDir), '--dump-dom', url], {
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** Load `url` in headless Chromium and save a PNG screenshot of the given window size. */
export async function screenshot(
  browser: string,
  url: string,
  file: string,
  profileDir: string,
  size = { width: 1200, height: 1600 },
): Promise<void> {
  await run(
    browser,
    [...headlessFlags(profileDir), `--screenshot=${file}`, `--window-size=${size.width},${size.height}`, url],
    { timeout: 60_000 },
  );
}
