/** The server's answer for a history: a user added at run time (PUT /users/:id) who clicks the items (POST /feedback), then GET /recommend. */
import { getJson, post } from '../recsys/fixtures.js';

export async function serverAnswer(base: string, user: string, history: string[], k: number): Promise<{ item: string; score: number }[]> {
  const put = await getJson(`${base}/users/${encodeURIComponent(user)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (put.status >= 300) throw new Error(`PUT /users: ${put.status} ${JSON.stringify(put.body)}`);
  if (history.length) {
    const fb = await getJson(`${base}/feedback`, post({ events: history.map((item) => ({ user, item, type: 'click' })) }));
    if (fb.status !== 200) throw new Error(`POST /feedback: ${fb.status} ${JSON.stringify(fb.body)}`);
  }
  const r = await getJson(`${base}/recommend?user=${encodeURIComponent(user)}&k=${k}`);
  if (r.status !== 200) throw new Error(`GET /recommend: ${r.status} ${JSON.stringify(r.body)}`);
  return (r.body.items ?? r.body.recommendations ?? r.body) as { item: string; score: number }[];
}
