// npm run bench: every benchmark in turn, each on a control plane of its own. The figures and what
// they are measured against are kept in bench/RESULTS.md.
import { run as api } from './api';
import { run as scheduler } from './scheduler';
import { run as watch } from './watch';

const BENCHMARKS: [string, () => Promise<void>][] = [
  ['API (bench/api.ts)', api],
  ['watch fan-out (bench/watch.ts)', watch],
  ['scheduler throughput (bench/scheduler.ts)', scheduler],
];

async function main(): Promise<void> {
  for (const [name, run] of BENCHMARKS) {
    process.stdout.write(`\n== ${name}\n`);
    await run();
  }
}

main().catch((err) => {
  process.stderr.write(`${err}\n`);
  process.exit(1);
});
