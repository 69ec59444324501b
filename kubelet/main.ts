// kubelet: registers this node and runs the pods bound to it as Docker containers. Flags follow the
// real kubelet's names where it has them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KUBERNETES_VERSION } from '../shared/version';
import type { Taint } from '../shared/api/core';
import { isForbiddenNodeLabel, KUBELET_LABEL_NAMESPACES, KUBELET_LABELS } from '../shared/api/kubeletlabels';
import { Client } from '../shared/client';
import { runComponent } from '../shared/component';
import type { Lifecycle } from '../shared/component';
import { realClock } from '../shared/clock';
import { DelegatedAuth } from '../shared/delegatedauth';
import { parseBool, parseDuration, parseFlags } from '../shared/flags';
import { loadKubeconfig } from '../shared/kubeconfig';
import { newLogger } from '../shared/log';
import { selfSignedServingCertificate } from '../shared/pki';
import { KubeletAuth } from './auth';
import { HostGateway } from './hostgw';
import { Kubelet } from './kubelet';
import { PodStartupLatencyTracker, registerRunningGauges, registry } from './metrics';
import { UnreachableRoute } from './network';
import { DockerRuntime } from './runtime/docker';
import { instrumentedRuntime } from './runtime/instrumented';
import { createKubeletServer, ServingTLS } from './server';
import { StatsCollector } from './stats';

const flags = parseFlags({
  kubeconfig: { default: '/etc/kubernetes/kubelet.conf', help: 'kubeconfig of the apiserver' },
  'node-name': { default: os.hostname(), help: 'the Node this kubelet registers' },
  'node-ip': { default: '127.0.0.1', help: 'the InternalIP of the node' },
  port: { default: '10250', help: 'the port of the kubelet server (logs)' },
  address: { help: 'the IP address the kubelet server listens on (default: --node-ip, where the apiserver calls it)' },
  'root-dir': { default: '/var/lib/kubelet', help: 'where pod volumes live' },
  'docker-endpoint': { default: 'unix:///var/run/docker.sock', help: 'the Docker engine' },
  'pod-infra-container-image': { default: 'registry.k8s.io/pause:3.9', help: 'the image of pod infra containers' },
  'pod-cidr': { help: "the range of this node's pod addresses (default: the Node's podCIDR, which the controller-manager assigns)" },
  'pod-network': { default: 'kube-pods', help: 'the Docker network holding pods' },
  'pod-network-cidr': {
    default: '',
    help: "the subnet of that Docker network when several nodes share one engine (default: this node's podCIDR)",
  },
  'cluster-cidr': { default: '10.244.0.0/16', help: 'every pod IP of the cluster: unreachable unless a node holds it' },
  'pod-routes': { default: 'none', help: "how pods reach other machines' pods: none (one engine), or host-gw (routes via each node's IP)" },
  'image-dir': { default: '', help: 'load every image tarball (docker save) in this directory at start: air-gapped nodes' },
  'cluster-dns': { help: 'the nameserver of pods with dnsPolicy ClusterFirst' },
  'cluster-domain': { default: 'cluster.local', help: "the cluster's DNS domain" },
  'max-pods': { default: '110', help: 'the pod capacity of the node' },
  'node-labels': { default: '', help: 'labels to add when registering, k=v,k2=v2' },
  'register-with-taints': { default: '', help: 'taints to add when registering, key=value:Effect,...' },
  'node-status-update-frequency': { default: '10s', help: 'how often the node status is checked' },
  'tls-cert-file': { help: 'the serving certificate of the kubelet port (default: a self-signed one in <root-dir>/pki)' },
  'tls-private-key-file': { help: 'its private key' },
  'client-ca-file': { help: "accept client certificates signed by this CA (the apiserver's)" },
  'cleanup-on-stop': {
    default: 'false',
    help: "remove this node's pod containers (and an unused pod network) when stopped: for docker compose down",
  },
});

const log = newLogger('kubelet').child({ node: flags['node-name'] });
const labels = Object.fromEntries(
  flags['node-labels']
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.split('=') as [string, string]),
);
// A kubelet may not give its Node labels that steer workloads (NodeRestriction would refuse the registration).
const unknownLabels = Object.keys(labels).filter(isForbiddenNodeLabel).sort();
if (unknownLabels.length)
  throw new Error(
    `unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: [${unknownLabels.join(' ')}]\n` +
      `--node-labels in the 'kubernetes.io' namespace must begin with an allowed prefix (${KUBELET_LABEL_NAMESPACES.join(', ')}) ` +
      `or be in the specifically allowed set (${KUBELET_LABELS.join(', ')})`,
  );
const taints: Taint[] = flags['register-with-taints']
  .split(',')
  .filter(Boolean)
  .map((t) => {
    const [kv, effect] = t.split(':');
    const [key, value] = kv.split('=');
    return { key, ...(value ? { value } : {}), effect: effect as Taint['effect'] };
  });

/** The kubelet port's certificate: from the flags, or made once and kept under --root-dir, as the kubelet does. */
function servingTLS(): ServingTLS {
  const clientCA = flags['client-ca-file'] ? fs.readFileSync(flags['client-ca-file']) : undefined;
  if (flags['tls-cert-file'] && flags['tls-private-key-file']) {
    return { cert: fs.readFileSync(flags['tls-cert-file']), key: fs.readFileSync(flags['tls-private-key-file']), clientCA };
  }
  const dir = path.join(flags['root-dir'], 'pki');
  const [certFile, keyFile] = [path.join(dir, 'kubelet.crt'), path.join(dir, 'kubelet.key')];
  if (!fs.existsSync(certFile) || !fs.existsSync(keyFile)) {
    const pair = selfSignedServingCertificate({
      commonName: flags['node-name'],
      dnsNames: [flags['node-name'], os.hostname()],
      ips: [flags['node-ip']],
    });
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(keyFile, pair.key, { mode: 0o600 });
    fs.writeFileSync(certFile, pair.cert);
  }
  return { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile), clientCA };
}

async function main(lifecycle: Lifecycle): Promise<void> {
  const runtime = instrumentedRuntime(new DockerRuntime(flags['docker-endpoint']));
  const client = new Client({ ...loadKubeconfig(flags.kubeconfig), userAgent: `kubelet/${KUBERNETES_VERSION.gitVersion}` });
  if (flags['image-dir']) log.info({ images: await runtime.loadImages(flags['image-dir']) }, 'loaded images');
  const route = new UnreachableRoute(flags['cluster-cidr'], flags['node-name']);
  await route.ensure();
  lifecycle.onShutdown(() => route.release()); // registered first, so it runs last
  const hostGateway = flags['pod-routes'] === 'host-gw' ? new HostGateway(flags['node-name'], flags['cluster-cidr'], log) : undefined;
  const kubelet = new Kubelet(
    client,
    runtime,
    {
      name: flags['node-name'],
      ip: flags['node-ip'],
      port: Number(flags.port),
      podCIDR: flags['pod-cidr'],
      labels,
      taints,
      kubeletVersion: KUBERNETES_VERSION.gitVersion,
      runtimeVersion: await runtime.version(),
      maxPods: Number(flags['max-pods']),
      rootDir: flags['root-dir'],
      podNetwork: flags['pod-network'],
      podNetworkCIDR: flags['pod-network-cidr'] || undefined,
      masquerade: !hostGateway,
      infraImage: flags['pod-infra-container-image'],
      clusterDNS: flags['cluster-dns'],
      clusterDomain: flags['cluster-domain'],
      statusUpdateMs: parseDuration(flags['node-status-update-frequency']),
    },
    realClock,
    log,
  );
  const stats = new StatsCollector(flags['node-name'], runtime, kubelet, os.cpus().length, realClock, log);
  const stopStats = new AbortController();
  void stats.run(stopStats.signal);
  registerRunningGauges(() => kubelet.containers());
  // kubelet_pod_start_duration_seconds, from the pods the kubelet's informer sees.
  const podStarts = new PodStartupLatencyTracker(realClock);
  kubelet.addPodEventHandler({
    add: (pod) => podStarts.observedPodOnWatch(pod),
    update: (_old, pod) => podStarts.observedPodOnWatch(pod),
    delete: (pod) => podStarts.deletePodStartupState(pod),
  });
  const auth = new KubeletAuth(new DelegatedAuth(client, realClock, log), flags['node-name']);
  const server = createKubeletServer(runtime, kubelet, stats, registry, auth, servingTLS(), log);
  const address = flags.address ?? flags['node-ip'];
  server.listen(Number(flags.port), address, () => log.info({ address, port: Number(flags.port) }, 'kubelet server listening'));
  await kubelet.start();
  if (hostGateway) {
    await hostGateway.ensureRules(await kubelet.waitForPodCIDR());
    hostGateway.run(client);
  }

  // Like the real kubelet, stopping leaves the pods running (a restarted kubelet adopts them), unless
  // --cleanup-on-stop says that stopping tears the node down.
  lifecycle.onShutdown(async () => {
    kubelet.stop();
    if (parseBool(flags['cleanup-on-stop'])) {
      await kubelet.removeAllPods().catch((err) => log.warn({ err }, 'pod cleanup failed'));
      fs.rmSync(flags['root-dir'], { recursive: true, force: true }); // volumes and the port's certificate
    }
    stopStats.abort();
    server.close();
    await hostGateway?.cleanup();
  });
}

runComponent('kubelet', log, main);
