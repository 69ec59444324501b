// Hollow nodes, as kubemark runs them: the real kubelet (registration, node status, the heartbeat
// Lease, a pod watch of its own, pod workers, status writes and events) over the in-memory runtime, so
// the control plane sees the API traffic of a node without an engine behind it. Many kubelets share this
// one process; each has its own credentials (system:node:<name>), so the Node authorizer and
// NodeRestriction judge its requests as they would a real node's. Started by bench/scale.ts:
//   node dist/bench/hollownodes.js --nodes hollow-node-0,hollow-node-1 --kubeconfig-pattern DIR/kubelet-{node}.kubeconfig --root-dir DIR
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '../shared/client';
import { realClock } from '../shared/clock';
import { parseFlags } from '../shared/flags';
import { loadKubeconfig } from '../shared/kubeconfig';
import { newLogger } from '../shared/log';
import { KUBERNETES_VERSION } from '../shared/version';
import { Kubelet } from '../kubelet/kubelet';
import { FakeRuntime } from '../kubelet/runtime/fake';

const flags = parseFlags({
  'kubeconfig-pattern': { required: true, help: "each node's kubeconfig, with {node} standing for its name" },
  nodes: { required: true, help: 'the names of the nodes this process runs, comma-separated' },
  'root-dir': { required: true, help: "the nodes' kubelet root directories go under it, one per node" },
});

const log = newLogger('hollow-nodes');

async function main(): Promise<void> {
  const kubelets: Kubelet[] = [];
  for (const name of flags.nodes.split(',')) {
    const rootDir = path.join(flags['root-dir'], name);
    fs.mkdirSync(rootDir, { recursive: true });
    const client = new Client({
      ...loadKubeconfig(flags['kubeconfig-pattern'].replace('{node}', name)),
      userAgent: `kubelet/${KUBERNETES_VERSION.gitVersion}`,
    });
    const kubelet = new Kubelet(
      client,
      new FakeRuntime(realClock),
      {
        name,
        ip: '127.0.0.1',
        port: 10250,
        labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', type: 'hollow' },
        taints: [],
        kubeletVersion: KUBERNETES_VERSION.gitVersion,
        runtimeVersion: 'fake://1.0.0',
        maxPods: 110,
        rootDir,
        podNetwork: 'hollow',
        masquerade: false,
        infraImage: 'registry.k8s.io/pause:3.9',
        clusterDomain: 'cluster.local',
        statusUpdateMs: 10_000,
      },
      realClock,
      log.child({ node: name }),
    );
    kubelets.push(kubelet);
  }
  // They register together, as machines booting at once, and each then runs its own loops.
  await Promise.all(kubelets.map((k) => k.start()));
  log.info({ nodes: kubelets.length }, 'hollow nodes running');
  process.send?.('ready');
  const stop = () => {
    for (const k of kubelets) k.stop();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  log.error({ err }, 'hollow nodes failed');
  process.exit(1);
});
