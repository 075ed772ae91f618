import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { makeModelFile, TOKEN, auth, getJson, post } from '../recsys/fixtures.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
const C = suite('serve: kill -9 during a feedback and recommend burst');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-crash-'));
const model = path.join(dir, 'm.ck'), db = path.join(dir, 'fb.db');

/** Starts `dpgcn serve` on an ephemeral port; resolves with its URL once it listens. */
function serve(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--model', model, '--db', db, '--port', '0'],
    { env: { ...process.env, DPGCN_ADMIN_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '', err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server did not start: ${err}`)); }, 15000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ child, url: m[1] }); }
    });
    child.stderr!.on('data', (d) => { err += d; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${err}`)); });
  });
}

C.before(async () => { await makeModelFile(model, 'dp-gcn', 1); });

C('every acknowledged event is in the database after kill -9, and a restart replays them', async () => {
  const { child, url } = await serve();
  const acked: number[] = [], decided: string[] = [];
  let seq = 0, killed = false;
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  // 16 clients post batches of 10 events with unique times; kill -9 once 300 batches are acknowledged
  await Promise.all(Array.from({ length: 16 }, async (_, w) => {
    while (!killed) {
      const events = Array.from({ length: 10 }, (_, j) => ({ user: `u${(w + j) % 70 + 1}`, item: `i${(seq + j) % 50 + 1}`, type: j % 3 ? 'click' : 'impression', time: ++seq }));
      try {
        // every fourth client asks for recommendations: each answer is a decision, acknowledged once durable
        if (w % 4 === 3) { const d = await fetch(`${url}/recommend?user=u${w + 1}&k=3`); if (d.status === 200) decided.push(((await d.json()) as { decisionId: string }).decisionId); continue; }
        const r = await fetch(`${url}/feedback`, post({ events }));
        if (r.status === 200) { await r.json(); acked.push(...events.map((e) => e.time)); }
      } catch { break; } // the connection died with the server: not acknowledged
      if (acked.length >= 3000 && !killed) { killed = true; child.kill('SIGKILL'); }
    }
  }));
  await exited;
  assert.ok(acked.length >= 3000);
  const conn = new Database(db, { readonly: true });
  const stored = new Set((conn.prepare('SELECT time FROM feedback').all() as { time: number }[]).map((r) => r.time));
  const storedDecisions = new Set((conn.prepare('SELECT id FROM decisions').all() as { id: string }[]).map((r) => r.id));
  const missing = acked.filter((t) => !stored.has(t));
  assert.ok(decided.length > 0);
  assert.equal(decided.filter((d) => !storedDecisions.has(d)).slice(0, 10), [], 'every acknowledged decision is in the database');
  conn.close();
  assert.equal(missing.slice(0, 10), [], `${missing.length} of ${acked.length} acknowledged events are missing`);

  // restart: the events are replayed into the users' histories
  const again = await serve();
  try {
    const exp = await getJson(`${again.url}/users/u1/export`, { headers: auth });
    assert.is(exp.status, 200);
    const fromDb = exp.body.storedFeedback.length;
    assert.ok(fromDb > 0);
    assert.is(exp.body.feedback.length, fromDb, 'every stored event of u1 is in its served history');
    assert.is((await getJson(`${again.url}/health`)).body.feedbackRows, stored.size);
  } finally {
    again.child.kill('SIGTERM');
    await new Promise((r) => again.child.on('exit', r));
  }
});

C.after(() => fs.rmSync(dir, { recursive: true, force: true }));
C.run();
