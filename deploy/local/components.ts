// The processes of a local cluster and their flags: one table, in start order.
import path from 'node:path';
import { apiserverEtcdArgs, etcdArgs } from '../etcd';
import { NodeComponent, nodeOptions } from '../nodeoptions';
import { credentialPaths } from '../pki/credentials';
import { DUMMY_INTERFACE } from '../../kube-proxy/netlink';
import { gatewayOf } from '../../kubelet/network';
import type { Readiness } from './readiness';

export interface ClusterLayout {
  /** The repository root (where dist/ is). */
  root: string;
  dataDir: string;
  apiserverPort: number;
  etcdClientPort: number;
  etcdPeerPort: number;
  nodes: number;
  /** kube-proxy's --proxy-mode: userspace (the default) or iptables. */
  proxyMode: string;
  /** Manifests the apiserver applies at start (apiserver/addons.ts): deploy/addons for the dashboard add-on. */
  addonsDir?: string;
}

export interface Component {
  /** The pid file name: `.data/run/<name>.pid`. */
  name: string;
  command: string;
  args: string[];
  /** The compiled entry point this component needs; components not built yet are skipped. */
  entry?: string;
  /** How the launcher tells it is ready (etcd: through the apiserver's /readyz). */
  readiness?: Readiness;
}

const SERVICE_CIDR = '10.96.0.0/12';
const CLUSTER_CIDR = '10.244.0.0/16';
export const POD_NETWORK = 'kube-pods';
/**
 * Where pods reach the apiserver (the kubernetes Service's endpoint): the pod bridge's gateway, an address
 * of this machine once the first kubelet has made the bridge. 127.0.0.1, where kubectl connects, cannot be
 * an endpoint (loopback), so the apiserver listens on both (apiserver/additionallistener.ts).
 */
export const POD_NETWORK_GATEWAY = gatewayOf(CLUSTER_CIDR);
const CLUSTER_DNS = '10.96.0.10';

export function clusterComponents(l: ClusterLayout): Component[] {
  const dist = (c: NodeComponent) => path.join(l.root, 'dist', c, 'main.js');
  const creds = credentialPaths(l.dataDir);
  const kubeconfig = (component: string) => `--kubeconfig=${creds.componentKubeconfig(component)}`;
  const node = (name: string, component: NodeComponent, args: string[], readiness: Readiness): Component => ({
    name,
    command: process.execPath,
    args: [...nodeOptions(component), dist(component), ...args],
    entry: dist(component),
    readiness,
  });
  const components: Component[] = [
    {
      name: 'etcd',
      command: 'etcd',
      args: etcdArgs({ dataDir: path.join(l.dataDir, 'etcd'), clientPort: l.etcdClientPort, peerPort: l.etcdPeerPort, credentials: creds }),
    },
    node(
      'apiserver',
      'apiserver',
      [
        ...apiserverEtcdArgs(l.etcdClientPort, creds),
        `--secure-port=${l.apiserverPort}`,
        '--bind-address=127.0.0.1',
        `--additional-bind-address=${POD_NETWORK_GATEWAY}`,
        `--advertise-address=${POD_NETWORK_GATEWAY}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--service-node-port-range=30000-32767',
        `--tls-cert-file=${creds.certificate('apiserver').cert}`,
        `--tls-private-key-file=${creds.certificate('apiserver').key}`,
        `--token-auth-file=${creds.tokenFile}`,
        `--service-account-signing-key-file=${creds.serviceAccountKey.key}`,
        `--service-account-key-file=${creds.serviceAccountKey.pub}`,
        `--kubelet-client-certificate=${creds.certificate('apiserver-kubelet-client').cert}`,
        `--kubelet-client-key=${creds.certificate('apiserver-kubelet-client').key}`,
        ...(l.addonsDir ? [`--addons-dir=${l.addonsDir}`] : []),
      ],
      { kind: 'readyz', port: l.apiserverPort },
    ),
    node('scheduler', 'scheduler', [kubeconfig('scheduler'), '--leader-elect=true', '--secure-port=10259'], {
      kind: 'lease',
      name: 'kube-scheduler',
    }),
    node(
      'controller-manager',
      'controller-manager',
      [
        kubeconfig('controller-manager'),
        '--leader-elect=true',
        '--secure-port=10257',
        `--cluster-cidr=${CLUSTER_CIDR}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        // Every kubelet here runs on this machine: one directory holds the local-path volumes of all nodes.
        `--local-path-root=${path.join(l.dataDir, 'storage')}`,
      ],
      // Pods created right after `npm run up` need the default ServiceAccount (the serviceaccount controller's).
      { kind: 'lease', name: 'kube-controller-manager', serviceAccount: { namespace: 'default', name: 'default' } },
    ),
    node(
      'kube-proxy',
      'kube-proxy',
      [
        kubeconfig('kube-proxy'),
        '--nodeport-addresses=127.0.0.1/32',
        `--cluster-cidr=${CLUSTER_CIDR}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        // Every address, as Kubernetes clusters commonly run it: pods (the dashboard add-on) reach it at the
        // pod network's gateway, the host's address on the bridge.
        '--metrics-bind-address=0.0.0.0:10249',
        `--cluster-dns=${CLUSTER_DNS}`,
        '--cluster-domain=cluster.local',
        `--proxy-mode=${l.proxyMode}`,
      ],
      { kind: 'kube-proxy', healthz: '127.0.0.1:10249', serviceCIDR: SERVICE_CIDR, interfaceName: DUMMY_INTERFACE },
    ),
  ];
  for (let n = 1; n <= l.nodes; n++) {
    components.push(
      node(
        `kubelet-node-${n}`,
        'kubelet',
        [
          kubeconfig(`kubelet-node-${n}`),
          `--client-ca-file=${creds.caFile}`,
          `--node-name=node-${n}`,
          '--node-ip=127.0.0.1',
          `--port=${10250 + n - 1}`,
          `--root-dir=${path.join(l.dataDir, 'kubelet', `node-${n}`)}`,
          '--docker-endpoint=unix:///var/run/docker.sock',
          `--pod-network=${POD_NETWORK}`,
          `--pod-network-cidr=${CLUSTER_CIDR}`,
          '--pod-infra-container-image=registry.k8s.io/pause:3.9',
          `--cluster-dns=${CLUSTER_DNS}`,
          '--cluster-domain=cluster.local',
        ],
        { kind: 'node', name: `node-${n}` },
      ),
    );
  }
  return components;
}

/**
 * Where `kubectl proxy --port=<port>` (default 8001) serves the dashboard add-on (deploy/addons/dashboard.yaml),
 * through the apiserver's service proxy: the Service's port named `http`.
 */
export function dashboardProxyURL(port = 8001): string {
  return `http://127.0.0.1:${port}/api/v1/namespaces/kube-system/services/http:dashboard:/proxy/`;
}
