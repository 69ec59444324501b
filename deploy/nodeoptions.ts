// The Node.js runtime's options of each component's process: settings of V8, not of the component, so they
// are not component flags (a Go binary's GOGC is set outside its flags too). Every way of starting a
// component puts them before its script: the local launcher (deploy/local/components.ts), the install
// units (deploy/install/units.ts) and the test harness's apiserver (test/processes.ts); docker-compose.yml
// sets the same values in NODE_OPTIONS (deploy/nodeoptions.test.ts checks all of them against this table).

/** The components that run on Node.js, by the name of their folder (dist/<name>/main.js). */
export type NodeComponent = 'apiserver' | 'scheduler' | 'controller-manager' | 'kube-proxy' | 'kubelet';

/**
 * The largest semi-space of V8's young generation, where new objects are allocated, in MB (undefined:
 * V8's default of 16 MB). Under load V8 grows the young generation to its largest and its pages stay
 * resident; a cap trades them for more frequent minor collections. Measured on 2026-12-03 with
 * bench/footprint.ts and bench/api.ts (bench/RESULTS.md, Footprint):
 * - apiserver, 4 MB: 90 MB idle and 193 MB with 100 pods, against 117-121 and 205-230 MB uncapped in four
 *   runs; 362 minor collections instead of 93 in the API benchmark, 0.46 s more time in GC (about 4% of
 *   its CPU). 1 and 2 MB saved about as much (149-199 MB with pods) for twice that GC time.
 * - kubelet, 4 MB: 71-75 MB idle and 86-88 MB with 50 pods, against 76-80 and 79-101 MB uncapped; about as
 *   many minor collections as uncapped (48 against 34-54 in the run).
 * - scheduler, controller-manager, kube-proxy: no saving. They allocate little, and V8 already shrinks
 *   their young generation to 1-2 MB once they are quiet.
 */
const MAX_SEMI_SPACE_MB: Record<NodeComponent, number | undefined> = {
  apiserver: 4,
  scheduler: undefined,
  'controller-manager': undefined,
  'kube-proxy': undefined,
  kubelet: 4,
};

/** The options `node` takes before a component's script. */
export function nodeOptions(component: NodeComponent): string[] {
  const semiSpace = MAX_SEMI_SPACE_MB[component];
  return semiSpace === undefined ? [] : [`--max-semi-space-size=${semiSpace}`];
}
