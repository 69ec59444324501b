// Resource usage for `kubectl top` and the HorizontalPodAutoscaler: the kubelet samples its running
// containers (Docker's stats) and the node (/proc) every STATS_PERIOD_MS and serves the latest sample in
// the shape of the kubelet Summary API (`/stats/summary`, a subset of it). A container's CPU rate comes
// from two samples of its cumulative CPU time, as the kubelet computes usageNanoCores from CRI's stats.
//
// Each container's sample is an engine request (about 12 ms of the engine's CPU, against 4 for a list of
// the node), and the engine is also what starts pods. So a round is never started beside another (the
// next comes a period after the last ended), and one that falls due while pods are being started waits
// for them, at most one period more. A round asks for every container at once: on Docker 20.10 even a
// one-shot request takes about a second (measured: it waits for the engine's stats pass), so one
// container at a time would take a second each, for the same work in the engine.
import fs from 'node:fs';
import { rfc3339 } from '../shared/api/meta';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/log';
import { ContainerRuntime, ContainerStats, INFRA_NAME, RuntimeContainer } from './runtime/interface';

/** How long the collector waits between rounds: cAdvisor's housekeeping interval (metrics-server scrapes every 15 s). */
export const STATS_PERIOD_MS = 10_000;
/** How often a round waiting for pods to be started looks again. */
const STARTING_RECHECK_MS = 500;

/** What the collector asks the kubelet: the containers as last seen, and whether a pod is being started. */
export interface PodSource {
  containers(): RuntimeContainer[];
  podsStarting(): boolean;
}

export interface Usage {
  cpu: { usageNanoCores: number };
  memory: { workingSetBytes: number };
}

export interface Summary {
  node: { nodeName: string; time: string } & Usage;
  pods: { podRef: { name: string; namespace: string; uid: string }; time: string; containers: ({ name: string } & Usage)[] }[];
}

function readProcStat(): { busy: number; total: number } {
  const [cpu] = fs.readFileSync('/proc/stat', 'utf8').split('\n');
  const v = cpu.split(/\s+/).slice(1).map(Number);
  const idle = v[3] + (v[4] ?? 0);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

function memoryWorkingSet(): number {
  const info = fs.readFileSync('/proc/meminfo', 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? 0) * 1024;
  return kb('MemTotal') - kb('MemAvailable');
}

/**
 * The CPU rate between two samples of one container, in nanocores. With no earlier sample, the average
 * since the container started (the best one sample can say).
 */
export function usageNanoCores(current: ContainerStats, previous: ContainerStats | undefined, startedAt?: string): number {
  const since = previous ?? { timestampMs: startedAt ? Date.parse(startedAt) : NaN, usageCoreNanoSeconds: 0 };
  const elapsedNs = (current.timestampMs - since.timestampMs) * 1e6;
  const usedNs = current.usageCoreNanoSeconds - since.usageCoreNanoSeconds;
  return elapsedNs > 0 && usedNs > 0 ? Math.round((usedNs / elapsedNs) * 1e9) : 0;
}

export class StatsCollector {
  private latest: Summary;
  private lastCpu = readProcStat();
  /** Each running container's previous sample, by container id. */
  private previous = new Map<string, ContainerStats>();

  constructor(
    private readonly nodeName: string,
    private readonly runtime: Pick<ContainerRuntime, 'stats'>,
    private readonly pods: PodSource,
    private readonly cpus: number,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.latest = {
      node: { nodeName, time: rfc3339(), cpu: { usageNanoCores: 0 }, memory: { workingSetBytes: memoryWorkingSet() } },
      pods: [],
    };
  }

  summary(): Summary {
    return this.latest;
  }

  /** Collects a round, waits STATS_PERIOD_MS, and while pods are being started up to as long again; until `signal` is aborted. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.collect().catch((err) => this.log.warn({ err }, 'stats collection failed'));
      await this.clock.sleep(STATS_PERIOD_MS, signal);
      for (let waited = 0; waited < STATS_PERIOD_MS && this.pods.podsStarting(); waited += STARTING_RECHECK_MS)
        await this.clock.sleep(STARTING_RECHECK_MS, signal);
    }
  }

  /** One round: a sample of each running app container and of the node. */
  async collect(): Promise<void> {
    const containers = this.pods.containers().filter((c) => c.name !== INFRA_NAME && c.state === 'running');
    const samples = await Promise.all(
      containers.map(async (c) => {
        try {
          return { c, usage: await this.runtime.stats(c.id) };
        } catch (err) {
          this.log.debug({ container: c.id, err }, 'stats unavailable');
          return undefined;
        }
      }),
    );
    const time = rfc3339();
    const pods = new Map<string, Summary['pods'][number]>();
    const previous = this.previous;
    this.previous = new Map();
    for (const s of samples) {
      if (!s) continue;
      this.previous.set(s.c.id, s.usage);
      const pod = pods.get(s.c.podUid) ?? {
        podRef: { name: s.c.podName, namespace: s.c.podNamespace, uid: s.c.podUid },
        time,
        containers: [],
      };
      pod.containers.push({
        name: s.c.name,
        cpu: { usageNanoCores: usageNanoCores(s.usage, previous.get(s.c.id), s.c.startedAt) },
        memory: { workingSetBytes: s.usage.workingSetBytes },
      });
      pods.set(s.c.podUid, pod);
    }
    const cpu = readProcStat();
    const share = cpu.total > this.lastCpu.total ? (cpu.busy - this.lastCpu.busy) / (cpu.total - this.lastCpu.total) : 0;
    this.lastCpu = cpu;
    this.latest = {
      node: {
        nodeName: this.nodeName,
        time,
        cpu: { usageNanoCores: Math.round(share * this.cpus * 1e9) },
        memory: { workingSetBytes: memoryWorkingSet() },
      },
      pods: [...pods.values()],
    };
  }
}
