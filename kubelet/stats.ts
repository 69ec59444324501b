// Resource usage for `kubectl top` and the HorizontalPodAutoscaler: the kubelet samples its running
// containers (Docker's stats) and the node (/proc) every few seconds and serves the latest sample in the
// shape of the kubelet Summary API (`/stats/summary`, a subset of it). A container's CPU rate comes from
// two samples of its cumulative CPU time, as the kubelet computes usageNanoCores from CRI's stats.
import fs from 'node:fs';
import { rfc3339 } from '../shared/api/meta';
import type { Logger } from '../shared/log';
import type { ContainerRuntime, ContainerStats, RuntimeContainer } from './runtime/interface';

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
    private readonly runtime: ContainerRuntime,
    private readonly running: () => RuntimeContainer[],
    private readonly cpus: number,
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

  async collect(): Promise<void> {
    const containers = this.running().filter((c) => c.name !== 'POD' && c.state === 'running');
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
