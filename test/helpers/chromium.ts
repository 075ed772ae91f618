/**
 * Headless Chromium for report tests: renders an HTML file and returns the
 * DOM after layout (--dump-dom), or null when Debian's /usr/bin/chromium is
 * absent (the caller skips and says why). Fresh profile, no network services.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';

export function chromiumAvailable(): boolean { return fs.existsSync(CHROMIUM); }

/** The rendered DOM of `html`; throws with chromium's stderr tail when it fails. */
export function dumpDom(html: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-chromium-'));
  try {
    const file = path.join(dir, 'page.html');
    fs.writeFileSync(file, html);
    const res = spawnSync(CHROMIUM, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--user-data-dir=${path.join(dir, 'profile')}`, '--dump-dom', pathToFileURL(file).href,
    ], { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 << 20 });
    if (res.error) throw new Error(`chromium failed to run: ${res.error.message}`);
    if (res.status !== 0) throw new Error(`chromium exited with ${res.status}: ${res.stderr.slice(-2000)}`);
    return res.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
