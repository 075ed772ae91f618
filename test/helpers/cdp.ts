/**
 * Headless Chromium driven over the DevTools protocol on a pipe
 * (--remote-debugging-pipe: JSON messages ending in NUL on fds 3 and 4), so
 * a test can load a page, click and read the DOM with no extra package and
 * no network port. Debian's /usr/bin/chromium; fresh profile, no
 * background networking.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CHROMIUM } from './chromium.js';

type Msg = { id?: number; result?: any; error?: { message: string }; method?: string; params?: any; sessionId?: string }; // eslint-disable-line @typescript-eslint/no-explicit-any

export class Browser {
  private nextId = 1;
  private readonly waiting = new Map<number, { ok: (r: unknown) => void; fail: (e: Error) => void }>();
  private buf = '';
  private constructor(private readonly proc: ChildProcess, private readonly dir: string) {
    const out = proc.stdio[4] as Readable;
    out.setEncoding('utf8');
    out.on('data', (s: string) => {
      this.buf += s;
      let z: number;
      while ((z = this.buf.indexOf('\0')) >= 0) {
        const m = JSON.parse(this.buf.slice(0, z)) as Msg;
        this.buf = this.buf.slice(z + 1);
        const w = m.id !== undefined ? this.waiting.get(m.id) : undefined;
        if (w) { this.waiting.delete(m.id!); if (m.error) w.fail(new Error(m.error.message)); else w.ok(m.result); }
      }
    });
  }

  static launch(): Browser {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-cdp-'));
    const proc = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--remote-debugging-pipe', `--user-data-dir=${path.join(dir, 'profile')}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    return new Browser(proc, dir);
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const id = this.nextId++;
    return new Promise((ok, fail) => {
      this.waiting.set(id, { ok, fail });
      (this.proc.stdio[3] as Writable).write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    });
  }

  /** A new tab at url; returns its session. */
  async open(url: string): Promise<Page> {
    const { targetId } = await this.send('Target.createTarget', { url });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    return new Page(this, sessionId);
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => { if (this.proc.exitCode !== null) r(null); else this.proc.once('exit', r); });
    try { await Promise.race([this.send('Browser.close'), new Promise((r) => setTimeout(r, 2000))]); } catch { /* gone */ }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (this.proc.exitCode === null) { this.proc.kill('SIGKILL'); await exited; }
    fs.rmSync(this.dir, { recursive: true, force: true, maxRetries: 5 });
  }
}

export class Page {
  constructor(private readonly b: Browser, readonly session: string) {}
  /** The value of a JS expression in the page (promises awaited). */
  async eval<T = unknown>(expression: string): Promise<T> {
    const r = await this.b.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, this.session);
    if (r.exceptionDetails) throw new Error(`page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }
  /** Polls until expression is truthy (returns it) or timeoutMs passes. */
  async waitFor<T>(expression: string, timeoutMs = 30_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await this.eval<T>(expression).catch(() => null);
      if (v) return v;
      if (Date.now() > end) throw new Error(`page: timed out waiting for ${expression}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  navigate(url: string): Promise<unknown> { return this.b.send('Page.navigate', { url }, this.session); }
}
