// kube-controller-manager: the control loops of the cluster in one process, sharing informers. With
// --leader-elect only the holder of the kube-system/kube-controller-manager Lease runs them. Every
// replica serves /metrics (the work queues' metrics) on --secure-port.
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { KUBERNETES_VERSION } from '../shared/version';
import type { Deployment, ReplicaSet } from '../shared/api/apps';
import type { SubjectAccessReview } from '../shared/api/authentication';
import type { CertificateSigningRequest } from '../shared/api/certificates';
import type { PodDisruptionBudget } from '../shared/api/policy';
import type { ConfigMap, Pod, Secret } from '../shared/api/core';
import {
  CertificateSigningRequests,
  ConfigMaps,
  Deployments,
  PodDisruptionBudgets,
  Pods,
  ReplicaSets,
  Secrets,
} from '../shared/api/resources';
import { Client } from '../shared/client';
import { realClock } from '../shared/clock';
import { DelegatedAuth } from '../shared/delegatedauth';
import { EventRecorder } from '../shared/events';
import { parseBool, parseDuration, parseFlags } from '../shared/flags';
import { SharedInformerFactory } from '../shared/informer';
import { loadKubeconfig } from '../shared/kubeconfig';
import { LeaderElector, runAsLeader } from '../shared/leaderelection';
import { newLogger } from '../shared/log';
import { secureServingFlags, secureServingOptions, serveMetrics } from '../shared/metricsserver';
import { setWorkqueueMetricsProvider } from '../shared/workqueue';
import { BootstrapSigner } from './bootstrapsigner/bootstrapsigner';
import { CSRApprovingController } from './certificates/approver';
import { CSRSigningController } from './certificates/signer';
import { Controller, runController } from './controller';
import { DeploymentController } from './deployment/deployment';
import { DisruptionController } from './disruption/disruption';
import { EndpointsController } from './endpoints/endpoints';
import { GarbageCollector } from './garbagecollector/garbagecollector';
import { HorizontalController } from './horizontalpodautoscaler/hpa';
import { NamespaceController } from './namespace/namespace';
import { nodeCIDRWriter, NodeIpamController } from './nodeipam/nodeipam';
import { NodeLifecycleController } from './nodelifecycle/nodelifecycle';
import { RealPodControl } from './podcontrol';
import { ReplicaSetController } from './replicaset/replicaset';
import { ServiceLBController } from './servicelb/servicelb';
import { TokenCleaner } from './tokencleaner/tokencleaner';

const flags = parseFlags({
  kubeconfig: { default: '/etc/kubernetes/controller-manager.conf', help: 'kubeconfig of the apiserver' },
  'leader-elect': { default: 'true', help: 'elect a leader among controller-manager replicas' },
  'leader-elect-resource-name': { default: 'kube-controller-manager', help: 'the Lease name in kube-system' },
  controllers: {
    default: '*',
    help: 'controllers to run: * (those on by default), name, -name (replicaset,deployment,endpoints,garbagecollector,namespace,service-lb,horizontalpodautoscaling,disruption,nodelifecycle,nodeipam,csrapproving,csrsigning; off by default: bootstrapsigner,tokencleaner)',
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
  ...secureServingFlags(10257),
});

const log = newLogger('controller-manager');
const client = new Client({ ...loadKubeconfig(flags.kubeconfig), userAgent: `kube-controller-manager/${KUBERNETES_VERSION.gitVersion}` });
const registry = new Registry();
collectDefaultMetrics({ register: registry });
setWorkqueueMetricsProvider(registry);
/** As in Kubernetes, `*` leaves out the bootstrap token controllers: kubeadm asks for `*,bootstrapsigner,tokencleaner`. */
const DISABLED_BY_DEFAULT = new Set(['bootstrapsigner', 'tokencleaner']);
const enabled = (name: string) => {
  const listed = flags.controllers.split(',').map((c) => c.trim());
  if (listed.includes(name) || listed.includes(`-${name}`)) return listed.includes(name);
  return listed.includes('*') && !DISABLED_BY_DEFAULT.has(name);
};

async function runControllers(signal: AbortSignal): Promise<void> {
  // Every controller's workers and waits listen for the end of leadership on this one signal.
  setMaxListeners(Infinity, signal);
  const clock = realClock;
  const informers = new SharedInformerFactory(client, { logger: log });
  const recorder = (component: string) => new EventRecorder(client, { component }, { logger: log });
  const controllers: Controller[] = [];
  if (enabled('replicaset')) {
    controllers.push(
      new ReplicaSetController(
        informers,
        new RealPodControl(client),
        {
          updateStatus: async (rs) => void (await client.resource<ReplicaSet>(ReplicaSets).updateStatus(rs)),
          patchPodOwners: async (pod, ownerReferences) =>
            void (await client.resource<Pod>(Pods).patch(pod.metadata.namespace, pod.metadata.name!, {
              metadata: { ownerReferences: ownerReferences ?? null, resourceVersion: pod.metadata.resourceVersion },
            })),
        },
        recorder('replicaset-controller'),
        clock,
      ),
    );
  }
  if (enabled('deployment')) {
    const rs = client.resource<ReplicaSet>(ReplicaSets);
    const d = client.resource<Deployment>(Deployments);
    controllers.push(
      new DeploymentController(
        informers,
        {
          createReplicaSet: (obj) => rs.create(obj),
          updateReplicaSet: (obj) => rs.update(obj),
          deleteReplicaSet: (ns, name) => rs.delete(ns, name),
          updateDeployment: (obj) => d.update(obj),
          updateDeploymentStatus: async (obj) => void (await d.updateStatus(obj)),
        },
        recorder('deployment-controller'),
        clock,
      ),
    );
  }
  if (enabled('endpoints')) controllers.push(new EndpointsController(informers, client, clock));
  if (enabled('garbagecollector')) controllers.push(new GarbageCollector(informers, client, clock));
  if (enabled('namespace')) controllers.push(new NamespaceController(informers, client, clock));
  if (enabled('service-lb')) controllers.push(new ServiceLBController(informers, client, clock));
  if (enabled('horizontalpodautoscaling')) {
    controllers.push(
      new HorizontalController(informers, client, recorder('horizontal-pod-autoscaler'), clock, {
        syncPeriodMs: parseDuration(flags['horizontal-pod-autoscaler-sync-period']),
        downscaleStabilizationMs: parseDuration(flags['horizontal-pod-autoscaler-downscale-stabilization']),
      }),
    );
  }
  if (enabled('disruption')) {
    const pdbs = client.resource<PodDisruptionBudget>(PodDisruptionBudgets);
    const writer = { updateStatus: async (pdb: PodDisruptionBudget) => void (await pdbs.updateStatus(pdb)) };
    controllers.push(new DisruptionController(informers, writer, recorder('controllermanager'), clock));
  }
  const lifecycle = enabled('nodelifecycle')
    ? new NodeLifecycleController(
        informers,
        client,
        recorder('node-controller'),
        clock,
        {
          gracePeriodMs: parseDuration(flags['node-monitor-grace-period']),
          evictionTimeoutMs: parseDuration(flags['pod-eviction-timeout']),
          monitorPeriodMs: parseDuration(flags['node-monitor-period']),
        },
        log.child({ controller: 'nodelifecycle' }),
      )
    : undefined;
  if (enabled('nodeipam') && parseBool(flags['allocate-node-cidrs']))
    controllers.push(
      new NodeIpamController(informers, nodeCIDRWriter(client), flags['cluster-cidr'], clock, log.child({ controller: 'nodeipam' })),
    );
  if (enabled('csrapproving')) {
    const csrs = client.resource<CertificateSigningRequest>(CertificateSigningRequests);
    const approver = {
      updateApproval: async (csr: CertificateSigningRequest) =>
        void (await csrs.subresource('PUT', undefined, csr.metadata.name!, 'approval', csr)),
      authorized: async (csr: CertificateSigningRequest, subresource: string) => {
        const review = await client.request<SubjectAccessReview>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SubjectAccessReview',
            spec: {
              user: csr.spec.username,
              uid: csr.spec.uid,
              groups: csr.spec.groups,
              extra: csr.spec.extra,
              resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource },
            },
          },
        });
        return review.status?.allowed === true;
      },
    };
    controllers.push(new CSRApprovingController(informers, approver, clock, log.child({ controller: 'csrapproving' })));
  }
  if (enabled('csrsigning') && flags['cluster-signing-cert-file'] && flags['cluster-signing-key-file']) {
    const ca = {
      cert: fs.readFileSync(flags['cluster-signing-cert-file'], 'utf8'),
      key: fs.readFileSync(flags['cluster-signing-key-file'], 'utf8'),
    };
    const csrs = client.resource<CertificateSigningRequest>(CertificateSigningRequests);
    const signer = { updateStatus: async (csr: CertificateSigningRequest) => void (await csrs.updateStatus(csr)) };
    const duration = parseDuration(flags['cluster-signing-duration']);
    controllers.push(new CSRSigningController(informers, signer, ca, duration, clock, log.child({ controller: 'csrsigning' })));
  }
  if (enabled('bootstrapsigner'))
    controllers.push(
      new BootstrapSigner(informers, { update: async (cm) => void (await client.resource<ConfigMap>(ConfigMaps).update(cm)) }, clock),
    );
  if (enabled('tokencleaner')) {
    const secrets = client.resource<Secret>(Secrets);
    const deleter = { delete: (ns: string, name: string, uid: string) => secrets.delete(ns, name, { preconditions: { uid } }) };
    controllers.push(new TokenCleaner(informers, deleter, clock, log.child({ controller: 'tokencleaner' })));
  }

  informers.start();
  await informers.waitForSync(signal);
  log.info({ controllers: controllers.map((c) => c.name) }, 'caches synced; starting controllers');
  const workers = Number(flags['concurrent-syncs']);
  await Promise.all([...controllers.map((c) => runController(c, workers, log, signal)), lifecycle?.run(signal)]);
  informers.stop();
}

async function main(): Promise<void> {
  await serveMetrics(secureServingOptions('kube-controller-manager', flags), registry, new DelegatedAuth(client, realClock, log), log);
  if (!parseBool(flags['leader-elect'])) return runControllers(new AbortController().signal);
  const elector = new LeaderElector(client, {
    name: flags['leader-elect-resource-name'],
    identity: `${os.hostname()}_${process.pid}`,
    logger: log,
  });
  await runAsLeader(elector, log, runControllers);
}

main().catch((err) => {
  log.error({ err }, 'controller-manager failed');
  process.exit(1);
});
