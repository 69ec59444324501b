// Small helpers for benchmarks: percentiles, a fixed-width table, load generators, the machine line and
// what /proc says of a process.
import fs from 'node:fs';
import os from 'node:os';

export function percentile(sortedMs: number[], p: number): number {
  if (!sortedMs.length) return NaN;
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))];
}

export function summarize(ms: number[]): { p50: number; p90: number; p99: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99) };
}

/** What the figures were measured on, printed first by every benchmark (with the 1-minute load average). */
export function machine(): string {
  return `machine: ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}`;
}

/** Milliseconds since `start` (a process.hrtime.bigint() reading). */
export function since(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function table(rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? (Number.isInteger(c) ? String(c) : c.toFixed(2)) : c)));
  const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
}

/** Runs `task` `count` times with `concurrency` in flight; returns each call's latency in ms and the total. */
export async function load(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = process.hrtime.bigint();
        await task(i);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  return { latencies, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** Runs `task` at a fixed rate for `count` calls; returns the latencies, the i-th call's at index i. */
export async function paced(count: number, perSecond: number, task: (i: number) => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    pending.push(task(i).then(() => void (latencies[i] = Number(process.hrtime.bigint() - t) / 1e6)));
    await new Promise((r) => setTimeout(r, 1000 / perSecond));
  }
  await Promise.all(pending);
  return latencies;
}

/** A memory figure of /proc/<pid>/status, in MB. */
function statusMB(pid: number, field: 'VmRSS' | 'VmHWM' | 'RssFile'): number {
  const kB = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kB ? Number(kB) / 1024 : NaN;
}

/** Resident memory of a process in MB. */
export const rssMB = (pid: number): number => statusMB(pid, 'VmRSS');

/**
 * The part of a process's resident memory that is pages of files it maps, in MB: for a Node.js process
 * mostly the node binary's code, one copy in memory for every process that runs it.
 */
export const fileRssMB = (pid: number): number => statusMB(pid, 'RssFile');

/** The peak resident memory of a process in MB since it started or since the last resetPeakRss (VmHWM). */
export const peakRssMB = (pid: number): number => statusMB(pid, 'VmHWM');

/** Starts a new peak for peakRssMB: writing 5 to clear_refs resets VmHWM to the current RSS (Linux, as the process's owner). */
export function resetPeakRss(pid: number): void {
  fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** CPU seconds (user and system, every thread) a process has used so far: /proc/<pid>/stat, 10 ms ticks. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at the last ')'; utime and stime are the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Runs a benchmark when its file is started directly (`node dist/bench/<name>.js`), not imported by main.ts. */
export function runIfMain(mod: NodeModule, run: () => Promise<void>): void {
  if (require.main !== mod) return;
  run().catch((err) => {
    process.stderr.write(`${err}\n`);
    process.exit(1);
  });
}
