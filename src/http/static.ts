/**
 * GET /web/*: the files of a web bundle (`dpgcn export web`) for
 * `dpgcn serve --web DIR`. Files only from inside DIR (no traversal, no
 * listing); /web/ is its index.html. Any static server can serve a bundle
 * as well: this is a convenience, not a requirement.
 */
import type { FastifyInstance } from 'fastify';
import * as fs from 'node:fs';
import * as path from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.wasm': 'application/wasm', '.bin': 'application/octet-stream', '.css': 'text/css; charset=utf-8' };

export function serveWebBundle(app: FastifyInstance, dir: string): void {
  const root = path.resolve(dir);
  app.get('/web', async (_req, reply) => reply.redirect('/web/'));
  app.get('/web/*', async (req, reply) => {
    const rel = decodeURIComponent((req.params as { '*': string })['*'] || 'index.html');
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
      return reply.code(404).send({ error: `no file /web/${rel}`, field: 'url' });
    }
    reply.type(TYPES[path.extname(file)] ?? 'application/octet-stream').header('cache-control', 'no-cache');
    return reply.send(fs.createReadStream(file));
  });
}
