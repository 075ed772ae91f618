/**
 * The bundle's page (index.html loads it). Contract: /web/?history=ID,ID&k=10
 * computes on the page and renders <ol id="recommendations"> with one
 * <li data-item="ID"> per item in rank order. Clicking an item appends it
 * to the history, kept in localStorage (a ?history= given in the address
 * replaces it); nothing is fetched after the bundle. With the consent box
 * ticked, clicks are also sent to POST /feedback as a user of its own.
 */
import { WebRecommender } from './recommender.js';

const KEY = 'dpgcn.history', CONSENT = 'dpgcn.consent', VISITOR = 'dpgcn.visitor';
const $ = (id: string) => document.getElementById(id) as HTMLElement;

function storedHistory(): string[] {
  try { const h = JSON.parse(localStorage.getItem(KEY) ?? '[]'); return Array.isArray(h) ? h.map(String) : []; } catch { return []; }
}

async function main(): Promise<void> {
  const t0 = performance.now(), params = new URLSearchParams(location.search);
  const k = Math.max(1, Math.min(1000, Number(params.get('k') ?? 10) || 10));
  const given = params.get('history');
  let history = given !== null ? given.split(',').map((s) => s.trim()).filter(Boolean) : storedHistory();
  localStorage.setItem(KEY, JSON.stringify(history));
  const rec = await WebRecommender.load(new URL('./', location.href));
  const consent = $('consent') as HTMLInputElement;
  consent.checked = localStorage.getItem(CONSENT) === '1';
  consent.addEventListener('change', () => localStorage.setItem(CONSENT, consent.checked ? '1' : '0'));

  const render = (): void => {
    const list = $('recommendations'), hist = $('history');
    list.replaceChildren(...rec.recommend(history, { k }).map((r) => {
      const li = document.createElement('li'), b = document.createElement('button');
      li.dataset.item = r.item; li.dataset.score = String(r.score);
      b.textContent = r.title || r.item; b.title = `item ${r.item}, score ${r.score}`;
      b.addEventListener('click', () => { void click(r.item); });
      li.append(b);
      return li;
    }));
    hist.replaceChildren(...history.map((id) => { const li = document.createElement('li'); li.dataset.item = id; li.textContent = rec.title(id) || id; return li; }));
    $('mode').textContent = history.length ? `personalised from ${history.length} click${history.length > 1 ? 's' : ''}` : 'popular (no clicks yet)';
  };

  const click = async (item: string): Promise<void> => {
    history = [...history, item];
    localStorage.setItem(KEY, JSON.stringify(history));
    render();
    if (consent.checked) await sendFeedback(item);
  };

  $('clear').addEventListener('click', () => { history = []; localStorage.setItem(KEY, '[]'); render(); });
  render();
  const w = window as unknown as Record<string, unknown>;
  w.dpgcn = { rec, loadMs: performance.now() - t0, sinceNavigationMs: performance.now(), kernels: rec.kernels.name, click };
  document.body.dataset.ready = '1';
}

/** Only with consent: the click, as a user of this browser's own (created once with PUT /users/:id). */
async function sendFeedback(item: string): Promise<void> {
  let id = localStorage.getItem(VISITOR);
  const api = new URL('../', location.href);
  try {
    if (!id) {
      id = `web-${crypto.randomUUID()}`;
      await fetch(new URL(`users/${encodeURIComponent(id)}`, api), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
      localStorage.setItem(VISITOR, id);
    }
    await fetch(new URL('feedback', api), { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ user: id, item, type: 'click' }] }) });
  } catch { /* feedback is best effort; recommendations never depend on it */ }
}

main().catch((e: unknown) => {
  $('error').textContent = `could not load the recommender: ${(e as Error).message}`;
  document.body.dataset.ready = 'error';
});
