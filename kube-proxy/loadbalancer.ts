// The userspace proxier's load balancer: for each service port, round robin over its ready endpoints,
// with optional ClientIP session affinity (Kubernetes' `sessionAffinity: ClientIP`). Pure: time comes
// from the caller's clock, so tests drive it with a fake one.

export interface Endpoint {
  ip: string;
  port: number;
}

export const endpointString = (e: Endpoint): string => `${e.ip}:${e.port}`;

interface Affinity {
  endpoint: string;
  lastUsedMs: number;
}

export interface AffinityPolicy {
  /** 0 means no affinity. */
  timeoutSeconds: number;
}

export class RoundRobinBalancer {
  private endpoints: Endpoint[] = [];
  private next = 0;
  private readonly affinity = new Map<string, Affinity>();
  private policy: AffinityPolicy = { timeoutSeconds: 0 };

  /** Replaces the endpoint set. Affinities pointing at endpoints that are gone are dropped. */
  setEndpoints(endpoints: Endpoint[], policy: AffinityPolicy): void {
    const sorted = [...endpoints].sort((a, b) => endpointString(a).localeCompare(endpointString(b)));
    const changed = sorted.map(endpointString).join(',') !== this.endpoints.map(endpointString).join(',');
    this.endpoints = sorted;
    this.policy = policy;
    if (changed) this.next = 0;
    const live = new Set(sorted.map(endpointString));
    for (const [client, a] of this.affinity) {
      if (!live.has(a.endpoint) || policy.timeoutSeconds === 0) this.affinity.delete(client);
    }
  }

  /** The endpoint for a new connection from `clientIP`, or undefined when there is none. */
  pick(clientIP: string, nowMs: number): Endpoint | undefined {
    if (this.endpoints.length === 0) return undefined;
    if (this.policy.timeoutSeconds > 0) {
      const a = this.affinity.get(clientIP);
      if (a && nowMs - a.lastUsedMs <= this.policy.timeoutSeconds * 1000) {
        const sticky = this.endpoints.find((e) => endpointString(e) === a.endpoint);
        if (sticky) {
          a.lastUsedMs = nowMs;
          return sticky;
        }
      }
    }
    const chosen = this.endpoints[this.next % this.endpoints.length];
    this.next = (this.next + 1) % this.endpoints.length;
    if (this.policy.timeoutSeconds > 0) this.affinity.set(clientIP, { endpoint: endpointString(chosen), lastUsedMs: nowMs });
    return chosen;
  }
}
