/**
 * Redis connections, shared by the fit queue (queue/) and the serving
 * replicas (http/replication.ts). A URL option takes redis:// (or
 * rediss://); a URL that does not parse, or a server that does not
 * answer within a few seconds, is a UserError naming the URL, so a typo or a
 * stopped Redis fails at once instead of retrying forever. Once a worker is
 * up, ioredis's own reconnection keeps it alive across Redis restarts.
 */
import { Redis } from 'ioredis';
import { UserError } from '../errors.js';

/** Checks a redis:// URL option; returns it unchanged. */
export function parseRedisUrl(option: string, url: string): string {
  let u: URL;
  try { u = new URL(url); } catch { throw new UserError(`${option}: expected redis://HOST:PORT, got "${url}"`); }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UserError(`${option}: expected redis://HOST:PORT, got "${url}"`);
  if (!u.hostname) throw new UserError(`${option}: "${url}" names no host`);
  return url;
}

/**
 * A connection BullMQ can share (maxRetriesPerRequest null is what its
 * blocking commands need), after one PING has answered.
 */
export async function connectRedis(option: string, url: string, timeoutMs = 5000): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: timeoutMs });
  let lastError: Error | null = null;
  redis.on('error', (e: Error) => { lastError = e; });
  try {
    await withTimeout(redis.connect().then(() => redis.ping()), timeoutMs);
  } catch (e) {
    redis.disconnect();
    const why = (lastError ?? (e as Error)).message || String(e);
    throw new UserError(`${option}: cannot reach Redis at ${url}: ${why}`);
  }
  return redis;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_r, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
}
