// What runs on an installed machine, as systemd units: a control plane (etcd, a member of the cluster's
// etcd; apiserver, scheduler, controller-manager, kube-proxy) or a worker (kubelet, kube-proxy). The command lines are made here and
// nowhere else: install.sh writes them as units, and the multi-host test runs the same lines inside
// network namespaces.
import path from 'node:path';
import { apiserverEtcdArgs, etcdArgs, EtcdMachineMember } from '../etcd';
import { NodeComponent, nodeOptions } from '../nodeoptions';
import { credentialPaths } from '../pki/credentials';

export const SERVICE_CIDR = '10.96.0.0/12';
export const CLUSTER_DNS = '10.96.0.10';

export interface MachineLayout {
  /** Where the compiled project lives (dist/, node_modules/). */
  installDir: string;
  /** The node binary that runs it. */
  node: string;
  /** State: pki/, components/, etcd/, kubelet/. */
  dataDir: string;
  /** This machine's address on the cluster network. */
  ip: string;
  clusterCIDR: string;
  /** kube-proxy's --proxy-mode on this machine: userspace (the default) or iptables. */
  proxyMode: string;
}

export interface Unit {
  /** `mini-kubernetes-<name>.service` */
  name: string;
  description: string;
  command: string[];
  /** Units this one starts after. */
  after: string[];
}

const unitName = (component: string) => `mini-kubernetes-${component}`;

function nodeUnit(l: MachineLayout, component: NodeComponent, description: string, args: string[], after: string[] = []): Unit {
  return {
    name: unitName(component),
    description,
    command: [l.node, ...nodeOptions(component), path.join(l.installDir, 'dist', component, 'main.js'), ...args],
    after: after.map(unitName),
  };
}

export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;

export interface ControlPlaneOptions {
  /** This machine's etcd member. */
  etcd: EtcdMachineMember;
  /** Every member's client URL (the apiserver's --etcd-servers), this machine's first. */
  etcdServers: string[];
}

export function controlPlaneUnits(l: MachineLayout, o: ControlPlaneOptions): Unit[] {
  const creds = credentialPaths(l.dataDir);
  return [
    {
      name: unitName('etcd'),
      description: 'etcd for mini-kubernetes (TLS for clients and peers, only certificates of the cluster CA admitted)',
      command: [
        '/usr/bin/etcd',
        ...etcdArgs({
          dataDir: path.join(l.dataDir, 'etcd'),
          clientPort: ETCD_CLIENT_PORT,
          peerPort: ETCD_PEER_PORT,
          credentials: creds,
          member: o.etcd,
        }),
      ],
      after: [],
    },
    nodeUnit(
      l,
      'apiserver',
      'mini-kubernetes apiserver',
      [
        ...apiserverEtcdArgs(ETCD_CLIENT_PORT, creds, o.etcdServers),
        `--bind-address=${l.ip}`,
        '--secure-port=6443',
        `--advertise-address=${l.ip}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        `--tls-cert-file=${creds.certificate('apiserver').cert}`,
        `--tls-private-key-file=${creds.certificate('apiserver').key}`,
        `--token-auth-file=${creds.tokenFile}`,
        `--service-account-signing-key-file=${creds.serviceAccountKey.key}`,
        `--service-account-key-file=${creds.serviceAccountKey.pub}`,
        `--client-ca-file=${creds.caFile}`,
        '--enable-bootstrap-token-auth=true',
        `--kubelet-client-certificate=${creds.certificate('apiserver-kubelet-client').cert}`,
        `--kubelet-client-key=${creds.certificate('apiserver-kubelet-client').key}`,
      ],
      ['etcd'],
    ),
    nodeUnit(
      l,
      'scheduler',
      'mini-kubernetes scheduler',
      [`--kubeconfig=${creds.componentKubeconfig('scheduler')}`, '--leader-elect=true'],
      ['apiserver'],
    ),
    nodeUnit(
      l,
      'controller-manager',
      'mini-kubernetes controller-manager',
      [
        `--kubeconfig=${creds.componentKubeconfig('controller-manager')}`,
        '--leader-elect=true',
        '--controllers=*,bootstrapsigner,tokencleaner',
        `--cluster-signing-cert-file=${creds.caFile}`,
        `--cluster-signing-key-file=${creds.certificate('ca').key}`,
        `--cluster-cidr=${l.clusterCIDR}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        // The directory on every node (the kubelet makes it) under which local-path volumes are made.
        `--local-path-root=${path.join(l.dataDir, 'storage')}`,
      ],
      ['apiserver'],
    ),
    // The control plane's kube-proxy also registers the cluster DNS Service (workers' may not).
    kubeProxyUnit(l, creds.componentKubeconfig('kube-proxy'), ['apiserver']),
  ];
}

function kubeProxyUnit(l: MachineLayout, kubeconfig: string, after: string[] = []): Unit {
  return nodeUnit(
    l,
    'kube-proxy',
    'mini-kubernetes kube-proxy',
    [
      `--kubeconfig=${kubeconfig}`,
      `--nodeport-addresses=${l.ip}/32`,
      `--cluster-cidr=${l.clusterCIDR}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      `--cluster-dns=${CLUSTER_DNS}`,
      '--metrics-bind-address=127.0.0.1:10249',
      `--proxy-mode=${l.proxyMode}`,
    ],
    after,
  );
}

export interface WorkerOptions {
  nodeName: string;
  dockerEndpoint: string;
  /** Image tarballs loaded at start (air-gapped machines); empty: none. */
  imageDir: string;
}

/** A joined worker: its kubelet and kube-proxy both run as the node, with the client certificate the join got. */
export function workerUnits(l: MachineLayout, w: WorkerOptions): Unit[] {
  const kubeconfig = workerKubeconfig(l.dataDir);
  return [
    nodeUnit(l, 'kubelet', `mini-kubernetes kubelet (${w.nodeName})`, [
      `--kubeconfig=${kubeconfig}`,
      `--node-name=${w.nodeName}`,
      `--node-ip=${l.ip}`,
      `--address=${l.ip}`,
      '--port=10250',
      `--root-dir=${path.join(l.dataDir, 'kubelet')}`,
      `--client-ca-file=${path.join(l.dataDir, 'pki', 'ca.crt')}`,
      `--docker-endpoint=${w.dockerEndpoint}`,
      '--pod-routes=host-gw',
      `--cluster-cidr=${l.clusterCIDR}`,
      `--cluster-dns=${CLUSTER_DNS}`,
      ...(w.imageDir ? [`--image-dir=${w.imageDir}`] : []),
    ]),
    kubeProxyUnit(l, kubeconfig),
  ];
}

export const workerKubeconfig = (dataDir: string) => path.join(dataDir, 'components', 'node.kubeconfig');

/** The unit file systemd reads. */
export function unitFile(u: Unit): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/(["\\])/g, '\\$1')}"`);
  return [
    '[Unit]',
    `Description=${u.description}`,
    'Wants=network-online.target',
    `After=network-online.target${u.after.map((a) => ` ${a}.service`).join('')}`,
    '',
    '[Service]',
    `ExecStart=${u.command.map(quote).join(' ')}`,
    'Restart=always',
    'RestartSec=2',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** The command line of a unit file (what the multi-host test runs). */
export function execStartOf(unitText: string): string[] {
  const line = unitText.split('\n').find((l) => l.startsWith('ExecStart='));
  if (!line) throw new Error('no ExecStart in the unit');
  return [...line.slice('ExecStart='.length).matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2],
  );
}
