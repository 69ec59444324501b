// Liveness, readiness and startup probes (the kubelet's prober manager): one worker per probe of each
// running container, probing every periodSeconds after initialDelaySeconds, and flipping its result after
// successThreshold successes or failureThreshold failures.
import http from 'node:http';
import net from 'node:net';
import type { Container, IntOrString, Pod, Probe } from '../shared/api/core';
import type { Clock } from '../shared/clock';
import type { ContainerRuntime, RuntimeContainer } from './runtime/interface';

export type ProbeType = 'liveness' | 'readiness' | 'startup';
export type ProbeResult = { ok: boolean; message: string };

/** Resolves a probe port given by name through the container's ports. */
export function resolvePort(port: IntOrString, container: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** Runs one probe once. */
export async function runProbe(
  probe: Probe,
  container: Container,
  podIP: string,
  id: string,
  runtime: ContainerRuntime,
): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec) {
    try {
      const { exitCode, output } = await runtime.execSync(id, probe.exec.command ?? [], timeoutMs);
      return {
        ok: exitCode === 0,
        message: exitCode === 0 ? '' : `command ${JSON.stringify(probe.exec.command)} exited with ${exitCode}: ${output.trim()}`,
      };
    } catch (err) {
      return { ok: false, message: String(err) };
    }
  }
  const target = probe.httpGet ?? probe.tcpSocket;
  const port = target ? resolvePort(target.port, container) : undefined;
  if (!port) return { ok: false, message: 'probe has no valid port' };
  const host = target?.host || podIP;
  if (probe.httpGet) {
    const path = probe.httpGet.path ?? '/';
    return new Promise((resolve) => {
      const req = http.get(
        {
          host,
          port,
          path,
          timeout: timeoutMs,
          headers: Object.fromEntries((probe.httpGet!.httpHeaders ?? []).map((h) => [h.name, h.value])),
        },
        (res) => {
          res.resume();
          const code = res.statusCode ?? 0;
          resolve(
            code >= 200 && code < 400 ? { ok: true, message: '' } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` },
          );
        },
      );
      req.on('timeout', () =>
        req.destroy(
          new Error(`Get "http://${host}:${port}${path}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`),
        ),
      );
      req.on('error', (err) =>
        resolve({
          ok: false,
          message: err.message.startsWith('Get "') ? err.message : `Get "http://${host}:${port}${path}": ${err.message}`,
        }),
      );
    });
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    socket.on('connect', () => {
      socket.destroy();
      resolve({ ok: true, message: '' });
    });
    socket.on('timeout', () => socket.destroy(new Error('i/o timeout')));
    socket.on('error', (err) => resolve({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` }));
  });
}

interface Worker {
  type: ProbeType;
  containerId: string;
  result?: boolean;
  successes: number;
  failures: number;
  timer?: unknown;
  stopped: boolean;
}

export interface ProbeEvents {
  /** A result flipped: the pod must be synced. */
  changed(podKey: string): void;
  /** A probe failed: an Unhealthy event. */
  failed(pod: Pod, container: Container, type: ProbeType, message: string): void;
}

export class ProbeManager {
  private readonly workers = new Map<string, Worker>();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly clock: Clock,
    private readonly events: ProbeEvents,
  ) {}

  private key(id: string, type: ProbeType): string {
    return `${id}/${type}`;
  }

  /** Starts workers for the running containers of a pod and stops those of containers that are gone. */
  sync(pod: Pod, running: { container: Container; runtime: RuntimeContainer }[], podIP: string): void {
    const podKey = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const wanted = new Set<string>();
    for (const { container, runtime } of running) {
      const probes: [ProbeType, Probe | undefined][] = [
        ['startup', container.startupProbe],
        ['liveness', container.livenessProbe],
        ['readiness', container.readinessProbe],
      ];
      for (const [type, probe] of probes) {
        if (!probe) continue;
        const key = this.key(runtime.id, type);
        wanted.add(key);
        if (!this.workers.has(key)) this.startWorker(key, type, probe, pod, podKey, container, runtime, podIP);
      }
    }
    for (const [key, w] of this.workers) {
      if (w.containerId && running.some((r) => r.runtime.id === w.containerId) && !wanted.has(key)) this.stop(key);
    }
  }

  private startWorker(
    key: string,
    type: ProbeType,
    probe: Probe,
    pod: Pod,
    podKey: string,
    container: Container,
    rc: RuntimeContainer,
    podIP: string,
  ): void {
    const w: Worker = { type, containerId: rc.id, successes: 0, failures: 0, stopped: false };
    this.workers.set(key, w);
    const tick = async () => {
      if (w.stopped) return;
      // Liveness and readiness wait for the startup probe to succeed.
      if (type !== 'startup' && container.startupProbe && !this.started(rc.id, container)) {
        w.timer = this.clock.setTimeout(() => void tick(), (probe.periodSeconds ?? 10) * 1000);
        return;
      }
      const r = await runProbe(probe, container, podIP, rc.id, this.runtime);
      if (w.stopped) return;
      if (r.ok) {
        w.successes++;
        w.failures = 0;
      } else {
        w.failures++;
        w.successes = 0;
        this.events.failed(pod, container, type, r.message);
      }
      const before = w.result;
      if (r.ok && w.successes >= (probe.successThreshold ?? 1)) w.result = true;
      if (!r.ok && w.failures >= (probe.failureThreshold ?? 3)) w.result = false;
      if (before !== w.result) this.events.changed(podKey);
      // A failed liveness probe stops probing: the container is killed and restarted.
      if (type === 'liveness' && w.result === false) return;
      if (type === 'startup' && w.result === true) return;
      w.timer = this.clock.setTimeout(() => void tick(), (probe.periodSeconds ?? 10) * 1000);
    };
    w.timer = this.clock.setTimeout(() => void tick(), (probe.initialDelaySeconds ?? 0) * 1000);
  }

  private stop(key: string): void {
    const w = this.workers.get(key);
    if (!w) return;
    w.stopped = true;
    if (w.timer) this.clock.clearTimeout(w.timer);
    this.workers.delete(key);
  }

  /** Stops the workers of containers not in `live`. */
  retain(live: Set<string>): void {
    for (const [key, w] of this.workers) if (!live.has(w.containerId)) this.stop(key);
  }

  ready(id: string, container: Container): boolean {
    if (!container.readinessProbe) return this.started(id, container);
    return this.workers.get(this.key(id, 'readiness'))?.result === true && this.started(id, container);
  }

  started(id: string, container: Container): boolean {
    if (!container.startupProbe) return true;
    return this.workers.get(this.key(id, 'startup'))?.result === true;
  }

  /** Containers whose liveness or startup probe has failed. */
  unhealthy(): Set<string> {
    const ids = new Set<string>();
    for (const w of this.workers.values())
      if ((w.type === 'liveness' || w.type === 'startup') && w.result === false) ids.add(w.containerId);
    return ids;
  }
}
