// Traffic per endpoint: kube-proxy's /metrics (kubeproxy_connections_total, kubeproxy_active_connections,
// kubeproxy_bytes_total by service port and endpoint) scraped every `intervalMs`, as Prometheus would,
// summed over every kube-proxy given, and put into the state only where a number moved.
import http from 'node:http';
import https from 'node:https';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import { parseSamples } from './promtext';
import type { DashboardState } from './state';
import type { TrafficView } from './views';

const METRICS = new Set(['kubeproxy_connections_total', 'kubeproxy_active_connections', 'kubeproxy_bytes_total']);

/** The traffic views in one or more kube-proxies' metrics texts, summed by service port and endpoint. */
export function trafficViews(texts: string[]): Map<string, TrafficView> {
  const views = new Map<string, TrafficView>();
  for (const text of texts) {
    for (const s of parseSamples(text, METRICS)) {
      const { service, endpoint } = s.labels;
      if (!service || !endpoint) continue;
      const key = `${service}|${endpoint}`;
      let v = views.get(key);
      if (!v) views.set(key, (v = { key, service, endpoint, connections: 0, active: 0, bytesIn: 0, bytesOut: 0 }));
      if (s.name === 'kubeproxy_connections_total') v.connections += s.value;
      else if (s.name === 'kubeproxy_active_connections') v.active += s.value;
      else if (s.labels.direction === 'to_endpoint') v.bytesIn += s.value;
      else if (s.labels.direction === 'from_endpoint') v.bytesOut += s.value;
    }
  }
  return views;
}

function get(url: string, timeoutMs: number): Promise<string> {
  const transport = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.get(url, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`HTTP ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export class ProxyMetricsScraper {
  private timer: unknown;
  private stopped = false;

  constructor(
    private readonly targets: string[],
    private readonly state: DashboardState,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
    private readonly fetch: (url: string) => Promise<string> = (url) => get(url, 2000),
  ) {}

  start(): void {
    void this.scrape();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
  }

  /** One round: every target, then the views that changed, then the components' health of each kube-proxy. */
  async scrape(): Promise<void> {
    const texts: string[] = [];
    await Promise.all(
      this.targets.map(async (url) => {
        const name = `kube-proxy ${new URL(url).host}`;
        try {
          texts.push(await this.fetch(url));
          this.state.put('components', { key: name, name, healthy: true, message: `serving ${url}` });
        } catch (err) {
          this.state.put('components', { key: name, name, healthy: false, message: `${url}: ${(err as Error).message}` });
          this.log.debug({ err, url }, 'cannot scrape kube-proxy');
        }
      }),
    );
    const views = trafficViews(texts);
    for (const v of views.values()) {
      const old = this.state.get('traffic', v.key);
      if (!old || old.connections !== v.connections || old.active !== v.active || old.bytesIn !== v.bytesIn || old.bytesOut !== v.bytesOut)
        this.state.put('traffic', v);
    }
    // Counters of endpoints gone from every kube-proxy (a restarted one) go too.
    if (texts.length === this.targets.length)
      for (const old of this.state.list('traffic')) if (!views.has(old.key)) this.state.remove('traffic', old.key);
    if (!this.stopped) this.timer = this.clock.setTimeout(() => void this.scrape(), this.intervalMs);
  }
}
