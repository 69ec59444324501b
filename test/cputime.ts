// The "answered within a second" guards against parser denial of service measure CPU time, not wall
// time: a loaded 2-core CI machine stretches wall time, while the CPU a request costs stays what it is.
// A super-linear parser costs seconds to minutes of CPU on a 3 MiB input, far beyond any such bound.
import fs from 'node:fs';

export interface Measured<T> {
  value?: T;
  error?: unknown;
  /** CPU seconds (user and system) this process spent running `fn`. */
  cpuSeconds: number;
}

/** Runs `fn` and reports what it returned or threw and the CPU it took. */
export function measureCpu<T>(fn: () => T): Measured<T> {
  const start = process.cpuUsage();
  let value: T | undefined;
  let error: unknown;
  try {
    value = fn();
  } catch (err) {
    error = err;
  }
  const used = process.cpuUsage(start);
  return { value, error, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** The CPU seconds another process (a real apiserver under test) has used so far, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  return (utime + stime) / USER_HZ;
}
