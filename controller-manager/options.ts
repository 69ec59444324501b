// kube-controller-manager's flags, named as Kubernetes names them.
import type { FlagValues } from '../shared/flags';
import { secureServingFlags } from '../shared/metricsserver';

export const CONTROLLER_MANAGER_FLAGS = {
  kubeconfig: { default: '/etc/kubernetes/controller-manager.conf', help: 'kubeconfig of the apiserver' },
  'leader-elect': { default: 'true', help: 'elect a leader among controller-manager replicas' },
  'leader-elect-resource-name': { default: 'kube-controller-manager', help: 'the Lease name in kube-system' },
  controllers: {
    default: '*',
    help: 'controllers to run: * (those on by default), name, -name (see the list below)',
  },
  'cluster-cidr': { default: '10.244.0.0/16', help: 'the CIDR node pod CIDRs are allocated from' },
  'allocate-node-cidrs': { default: 'true', help: 'give each node a /24 of --cluster-cidr' },
  'service-cluster-ip-range': { default: '10.96.0.0/12', help: 'the service IP range (informational)' },
  'node-monitor-grace-period': { default: '20s', help: 'how long a silent node stays Ready' },
  'node-monitor-period': { default: '5s', help: 'how often node health is checked' },
  'pod-eviction-timeout': { default: '30s', help: 'how long pods stay on an unreachable node' },
  'concurrent-syncs': { default: '5', help: 'workers per controller' },
  'horizontal-pod-autoscaler-sync-period': { default: '15s', help: 'how often autoscalers are evaluated' },
  'horizontal-pod-autoscaler-downscale-stabilization': { default: '5m', help: 'how long a scale-down recommendation must hold' },
  'cluster-signing-cert-file': { help: 'the CA certificate (PEM) that signs approved client CertificateSigningRequests' },
  'cluster-signing-key-file': { help: 'its private key; without both, csrsigning does not run' },
  'cluster-signing-duration': { default: '8760h', help: 'how long the certificates it signs are valid' },
  'root-ca-file': {
    help: "the CA bundle (PEM) published as ca.crt in every namespace's kube-root-ca.crt (default: the kubeconfig's CA)",
  },
  'local-path-root': {
    default: '/var/lib/mini-kubernetes/storage',
    help: 'the directory on every node under which the local-path provisioner makes volumes',
  },
  'local-path-helper-image': { default: 'busybox', help: 'the image of the pods that remove local-path volumes (needs rm; IfNotPresent)' },
  ...secureServingFlags(10257),
};

export type ControllerManagerFlags = FlagValues<typeof CONTROLLER_MANAGER_FLAGS>;
