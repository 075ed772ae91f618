/**
 * The page in headless Chromium against a loopback server: its top-k equals
 * the server's for the same history, clicks live in localStorage, and no
 * request after the bundle carries the history (every request the server
 * sees is logged by a proxy in front of it).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { exportWeb } from '../../src/cli/export.js';
import { Recommender } from '../../src/recsys/recommender.js';
import { chromiumAvailable } from '../helpers/chromium.js';
import { Browser, type Page } from '../helpers/cdp.js';
import { skipSuite } from '../helpers/skip.js';
import { makeModelFile } from '../recsys/fixtures.js';
import { loggingProxy, type Logged } from './proxy.js';
import { serverAnswer } from './server_answer.js';

if (!chromiumAvailable()) skipSuite('web/page', '/usr/bin/chromium absent (apt-get install chromium)');
else {
  const t = suite('web/page');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dpgcn-web-page-'));
  let server: RunningServer, proxy: Awaited<ReturnType<typeof loggingProxy>>, browser: Browser, page: Page;
  let popular: string[] = [];

  t.before(async () => {
    const model = path.join(tmp, 'lightgcn.ck'), out = path.join(tmp, 'bundle');
    await makeModelFile(model, 'lightgcn');
    await exportWeb(model, out);
    const rec = await Recommender.load(model);
    const wt = rec.webTables()!;
    popular = Array.from(wt.popular.subarray(0, 5), (i) => wt.itemIds[i]);
    rec.close();
    server = await startServer({ model, port: 0, host: '127.0.0.1', db: path.join(tmp, 'fb.db'), web: out });
    proxy = await loggingProxy(server.url);
    browser = Browser.launch();
  });
  t.after(async () => { await browser?.close(); await proxy?.close(); await server?.close(); fs.rmSync(tmp, { recursive: true, force: true }); });

  const rendered = (p: Page) => p.eval<{ item: string; score: number }[]>(
    `[...document.querySelectorAll('#recommendations li')].map((li) => ({ item: li.dataset.item, score: Number(li.dataset.score) }))`);

  t('empty history: the bundle\'s popularity list', async () => {
    page = await browser.open(`${proxy.url}/web/?history=&k=5`);
    assert.is(await page.waitFor<string>(`document.body && document.body.dataset.ready`), '1');
    assert.equal((await rendered(page)).map((r) => r.item), popular);
  });

  t('clicks: the page\'s top-k equals the server\'s for the same history, and no request after the bundle carries it', async () => {
    const start = proxy.log.length;
    await page.navigate(`${proxy.url}/web/?k=10&history=`);
    await page.waitFor(`document.body && document.body.dataset.ready === '1' && document.querySelectorAll('#recommendations li').length === 10`);
    const afterLoad = proxy.log.length;
    const clicked: string[] = [];
    for (const nth of [3, 1, 5]) {
      clicked.push(await page.eval<string>(`(() => { const li = document.querySelector('#recommendations li:nth-child(${nth})'); li.querySelector('button').click(); return li.dataset.item; })()`));
    }
    const onPage = await rendered(page);
    assert.equal(await page.eval<string[]>(`JSON.parse(localStorage.getItem('dpgcn.history'))`), clicked);
    const want = await serverAnswer(server.url, 'web-visitor-1', clicked, 10);
    assert.equal(onPage.map((r) => r.item), want.map((r) => r.item), `page ${JSON.stringify(onPage)} vs server ${JSON.stringify(want)}`);
    onPage.forEach((r, j) => assert.ok(Math.abs(r.score - want[j].score) <= 1e-4, `rank ${j}: ${r.score} vs ${want[j].score}`));
    assert.ok(!onPage.some((r) => clicked.includes(r.item)), 'clicked items are not recommended again');
    // the page's own load fetched only bundle files, and the clicks fetched nothing at all
    assert.is(proxy.log.length, afterLoad, `requests after the clicks: ${JSON.stringify(proxy.log.slice(afterLoad))}`);
    const load: Logged[] = proxy.log.slice(start + 1, afterLoad);
    assert.ok(load.length >= 3, JSON.stringify(load));
    for (const r of load) {
      assert.is(r.method, 'GET', r.url);
      assert.match(r.url, /^\/web\/[\w./-]+$/, 'a bundle file with no query string');
      for (const id of clicked) assert.not.ok(r.url.includes(`=${id}`) || r.body.includes(id), `${r.url} carries the history`);
    }
  });

  t('the page contract: /web/?history=ID,ID&k=N renders that history\'s answer', async () => {
    const hist = popular.slice(0, 2);
    await page.navigate(`${proxy.url}/web/?history=${hist.join(',')}&k=7`);
    await page.waitFor(`document.body && document.body.dataset.ready === '1' && document.querySelectorAll('#recommendations li').length === 7`);
    const want = await serverAnswer(server.url, 'web-visitor-2', hist, 7);
    assert.equal((await rendered(page)).map((r) => r.item), want.map((r) => r.item));
  });

  t('with consent ticked, a click is sent to POST /feedback (and only then)', async () => {
    const before = proxy.log.length;
    await page.eval(`(() => { const c = document.getElementById('consent'); c.checked = true; c.dispatchEvent(new Event('change')); })()`);
    await page.eval(`document.querySelector('#recommendations li button').click()`);
    await page.waitFor(`true`);
    const end = Date.now() + 10_000;
    while (!proxy.log.slice(before).some((r) => r.method === 'POST') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const posts = proxy.log.slice(before).filter((r) => r.method === 'POST');
    assert.is(posts.length, 1);
    assert.is(posts[0].url, '/feedback');
  });

  t.run();
}
