/** A loopback HTTP proxy that logs every request (method, url, body) before passing it to target: what the server sees. */
import * as http from 'node:http';

export interface Logged { method: string; url: string; body: string }

export async function loggingProxy(target: string): Promise<{ url: string; log: Logged[]; close(): Promise<void> }> {
  const log: Logged[] = [], to = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      log.push({ method: req.method ?? '', url: req.url ?? '', body: body.toString('utf8') });
      const up = http.request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: { ...req.headers, host: to.host } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => { res.writeHead(502); res.end(); });
      up.end(body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, log, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }) };
}
