/** Prometheus metrics of the server (prom-client, one registry per server so several can run in one process). */
import client from 'prom-client';

export class ServeMetrics {
  readonly registry = new client.Registry();
  private readonly requests = new client.Counter({ name: 'dpgcn_http_requests_total', help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'] as const, registers: [this.registry] });
  private readonly latency = new client.Histogram({ name: 'dpgcn_http_request_duration_seconds', help: 'HTTP request latency by route',
    labelNames: ['route'] as const, buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2], registers: [this.registry] });
  private readonly model = new client.Gauge({ name: 'dpgcn_model_info', help: 'The model being served (1 for its version)', labelNames: ['version'] as const, registers: [this.registry] });
  readonly feedbackEvents = new client.Counter({ name: 'dpgcn_feedback_events_total', help: 'Feedback events committed to the database', registers: [this.registry] });
  readonly replicationRejected = new client.Counter({ name: 'dpgcn_replication_entries_rejected_total',
    help: 'Entries of the replication stream this replica could not apply (malformed or refused); see /health replication.lastRejected',
    registers: [this.registry] });
  readonly batchSize = new client.Histogram({ name: 'dpgcn_recommend_batch_size', help: '/recommend requests scored together',
    buckets: [1, 2, 4, 8, 16, 32, 64], registers: [this.registry] });

  get contentType(): string { return this.registry.contentType; }

  observe(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status: String(status) });
    this.latency.observe({ route }, seconds);
  }

  setModel(version: string): void { this.model.reset(); this.model.set({ version }, 1); }

  text(): Promise<string> { return this.registry.metrics(); }
}
