/**
 * Progress of a queued experiment on an interactive terminal: one bar for the
 * fits done, one per fit a worker is running (its training steps and the
 * worker's name). CI logs and pipes stay quiet.
 */
import type { QueueEvent } from '../queue/experiment.js';

export interface QueueProgress { event(e: QueueEvent): void; stop(): void }

export async function queueProgress(): Promise<QueueProgress | null> {
  if (!process.stderr.isTTY || process.env.CI) return null;
  const { default: cliProgress } = await import('cli-progress');
  const multi = new cliProgress.MultiBar({ stream: process.stderr, hideCursor: true, clearOnComplete: false,
    format: '{label} [{bar}] {value}/{total} {unit}' }, cliProgress.Presets.shades_classic);
  let overall: ReturnType<typeof multi.create> | null = null;
  const running = new Map<string, ReturnType<typeof multi.create>>();
  return {
    event(e) {
      if (e.kind === 'queued') { overall = multi.create(e.runs, 0, { label: `fits on ${e.queue}`, unit: 'done' }); return; }
      const key = `${e.model} seed ${e.seed}`;
      if (e.kind === 'done') {
        const b = running.get(key);
        if (b) { multi.remove(b); running.delete(key); }
        overall?.update(e.finished);
        return;
      }
      if (e.kind === 'progress' && e.total) {
        let b = running.get(key);
        if (!b) { b = multi.create(e.total, 0, { label: `${key} on ${e.worker}`, unit: 'steps' }); running.set(key, b); }
        if (b.getTotal() !== e.total) b.setTotal(e.total);
        b.update(e.done ?? 0);
      }
    },
    stop() { multi.stop(); },
  };
}
