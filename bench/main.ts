// npm run bench: every benchmark in turn, each on a control plane (or, for kube-proxy and the footprint,
// a whole cluster) of its own. The figures and what
// they are measured against are kept in bench/RESULTS.md.
import { run as api } from './api';
import { run as dashboard } from './dashboard';
import { run as footprint } from './footprint';
import { run as kubeProxy } from './kubeproxy';
import { run as podStartup } from './podstartup';
import { runIfMain } from './stats';
import { run as scheduler } from './scheduler';
import { run as watch } from './watch';

const BENCHMARKS: [string, () => Promise<void>][] = [
  ['API (bench/api.ts)', api],
  ['watch fan-out (bench/watch.ts)', watch],
  ['scheduler throughput (bench/scheduler.ts)', scheduler],
  ['pod startup latency (bench/podstartup.ts)', podStartup],
  ['kube-proxy throughput and latency (bench/kubeproxy.ts)', kubeProxy],
  ['footprint (bench/footprint.ts)', footprint],
  ['dashboard frame time in Chromium (bench/dashboard.ts)', dashboard],
];

/** Issue #19: the whole run, every figure, in under this. */
const RUN_LIMIT_MINUTES = 15;

async function main(): Promise<void> {
  const start = Date.now();
  for (const [name, run] of BENCHMARKS) {
    process.stdout.write(`\n== ${name}\n`);
    await run();
  }
  const minutes = (Date.now() - start) / 60_000;
  process.stdout.write(
    `\nnpm run bench: ${minutes.toFixed(1)} min (goal: under ${RUN_LIMIT_MINUTES} min): ${minutes < RUN_LIMIT_MINUTES ? 'met' : 'NOT met'}\n`,
  );
}

runIfMain(module, main);
