// The "answered within a second" guards against parser denial of service measure CPU time, not wall
// time: a loaded 2-core CI machine stretches wall time, while the CPU a request costs stays what it is.
// A super-linear parser costs seconds to minutes of CPU on a 3 MiB input, far beyond any such bound.
// It is the main thread's CPU, the event loop's, that a stall is made of: V8's garbage collector and
// compilers run on helper threads beside it, and on a loaded machine their share of process.cpuUsage()
// grows with the contention, not with the input.
import fs from 'node:fs';

/**
 * The CPU the largest hostile input (a 3 MiB body) may cost the event loop. Linear work on it takes up to
 * about a second of one core here (786k label requirements, a 3 MiB YAML flow sequence: 1.0-1.1 s, which
 * a bound of one second failed one run in a few); a super-linear parser takes minutes, so 2 s still
 * tells them apart.
 */
export const HOSTILE_INPUT_CPU_SECONDS = 2;

export interface Measured<T> {
  value?: T;
  error?: unknown;
  /** CPU seconds (user and system) this process's main thread spent running `fn`. */
  cpuSeconds: number;
}

/**
 * Runs `fn` twice and reports what the second run returned or threw and the CPU it took: the first
 * pays V8's one-time costs (compiling the parser's paths, growing the heap), which a request does not
 * pay again, so the second is what each request costs the event loop.
 */
export function measureCpu<T>(fn: () => T): Measured<T> {
  try {
    fn();
  } catch {
    // the second run reports it
  }
  const start = processCpuSeconds(process.pid);
  let value: T | undefined;
  let error: unknown;
  try {
    value = fn();
  } catch (err) {
    error = err;
  }
  return { value, error, cpuSeconds: processCpuSeconds(process.pid) - start };
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/**
 * The CPU seconds a process's main thread (this one, or a real apiserver under test) has used so far,
 * from /proc/<pid>/task/<pid>/stat: the main thread's id is the process id. 10 ms resolution.
 */
export function processCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  return (utime + stime) / USER_HZ;
}
