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

async function main(): Promise<void> {
  for (const [name, run] of BENCHMARKS) {
    process.stdout.write(`\n== ${name}\n`);
    await run();
  }
}

runIfMain(module, main);
