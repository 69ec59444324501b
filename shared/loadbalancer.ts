// Which apiserver a client talks to when there are several, as the k3s agent's load balancer
// (pkg/agent/loadbalancer) chooses: it stays on one server while that one answers (watches and
// read-after-write stay on one apiserver), moves to the next one in order when a connection to it fails,
// and leaves a failed server aside for a while. The servers are those configured, plus those the
// `kubernetes` Service's endpoints name (setDiscovered); the configured ones stay as a fallback, as k3s
// keeps its default server. Pure logic over a clock: the client (client.ts) reports what happened.
import type { Clock } from './clock';
import { realClock } from './clock';

/** How long a server whose connection failed is passed over while another one may answer. */
export const FAILED_SERVER_HOLD_MS = 15_000;

export class LoadBalancer {
  private discovered: string[] = [];
  private current: string;
  private readonly failedAt = new Map<string, number>();

  constructor(
    private readonly configured: string[],
    private readonly clock: Clock = realClock,
    private readonly holdMs = FAILED_SERVER_HOLD_MS,
  ) {
    if (!configured.length) throw new Error('a load balancer needs at least one server');
    this.current = configured[0];
  }

  /** Every server it may choose, in order: the discovered ones, then the configured ones not among them. */
  get servers(): string[] {
    return [...new Set([...this.discovered, ...this.configured])];
  }

  /** The server the next request goes to. */
  pick(): string {
    if (this.usable(this.current)) return this.current;
    const servers = this.servers;
    const start = servers.indexOf(this.current); // -1 (gone): from the first
    // The next usable one after the current one, in order; when none is, the one that failed longest ago.
    const ordered = servers.map((_, i) => servers[(start + 1 + i) % servers.length]);
    const next =
      ordered.find((s) => this.usable(s)) ??
      ordered.reduce((best, s) => ((this.failedAt.get(s) ?? 0) < (this.failedAt.get(best) ?? 0) ? s : best));
    this.current = next;
    return next;
  }

  /** A connection to `server` failed (refused, reset, timed out): the next pick moves on. */
  failed(server: string): void {
    this.failedAt.set(server, this.clock.now());
  }

  /** `server` answered: it is usable again. */
  succeeded(server: string): void {
    this.failedAt.delete(server);
  }

  /** The servers the `kubernetes` endpoints name now; the current one is kept while it is among them. */
  setDiscovered(servers: string[]): void {
    this.discovered = [...servers];
    for (const s of this.failedAt.keys()) if (!this.servers.includes(s)) this.failedAt.delete(s);
    if (!this.servers.includes(this.current)) this.current = this.servers[0];
  }

  private usable(server: string): boolean {
    if (!this.servers.includes(server)) return false;
    const at = this.failedAt.get(server);
    return at === undefined || this.clock.now() - at >= this.holdMs;
  }
}
