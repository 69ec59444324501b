// Every controller of kube-controller-manager, named as in --controllers, and how each is built from
// the ControllerContext (upstream's NewControllerDescriptors). Adding a controller: one entry here.
import fs from 'node:fs';
import path from 'node:path';
import type { DaemonSet, Deployment, ReplicaSet } from '../shared/api/apps';
import type { SubjectAccessReview } from '../shared/api/authentication';
import type { CronJob, Job } from '../shared/api/batch';
import type { CertificateSigningRequest } from '../shared/api/certificates';
import type {
  ConfigMap,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  ReplicationController,
  Secret,
  ServiceAccount,
} from '../shared/api/core';
import type { PodDisruptionBudget } from '../shared/api/policy';
import {
  CertificateSigningRequests,
  ConfigMaps,
  CronJobs,
  DaemonSets,
  Deployments,
  PersistentVolumeClaims,
  PersistentVolumes,
  Jobs,
  PodDisruptionBudgets,
  Pods,
  ReplicaSets,
  ReplicationControllers,
  Secrets,
  ServiceAccounts,
} from '../shared/api/resources';
import type { Client } from '../shared/client';
import { parseBool, parseDuration } from '../shared/flags';
import { loadKubeconfig } from '../shared/kubeconfig';
import { BootstrapSigner } from './bootstrapsigner/bootstrapsigner';
import { CSRApprovingController } from './certificates/approver';
import { CSRSigningController } from './certificates/signer';
import { CronJobController } from './cronjob/cronjob';
import type { ControllerDescriptor } from './controllercontext';
import { DaemonSetsController } from './daemon/daemonset';
import { DeploymentController } from './deployment/deployment';
import { DisruptionController } from './disruption/disruption';
import { EndpointsController } from './endpoints/endpoints';
import { GarbageCollector } from './garbagecollector/garbagecollector';
import { apiRevisionClient } from './history/history';
import { HorizontalController } from './horizontalpodautoscaler/hpa';
import { JobController } from './job/job';
import { realJobWriter } from './job/jobcontrol';
import { NamespaceController } from './namespace/namespace';
import { nodeCIDRWriter, NodeIpamController } from './nodeipam/nodeipam';
import { NodeLifecycleController } from './nodelifecycle/nodelifecycle';
import { RealPodControl } from './podcontrol';
import { ReplicaSetController } from './replicaset/replicaset';
import { ReplicationManager } from './replication/replication';
import { RootCACertPublisher } from './rootcacertpublisher/publisher';
import { ServiceAccountsController } from './serviceaccount/serviceaccounts';
import { ServiceLBController } from './servicelb/servicelb';
import { apiStatefulPodControl, StatefulSetController } from './statefulset/statefulset';
import { TokenCleaner } from './tokencleaner/tokencleaner';
import { LocalPathProvisioner } from './volume/localpath/provisioner';
import { PersistentVolumeController, VolumeWriter } from './volume/persistentvolume/pvcontroller';
import { PVCProtectionController } from './volume/pvcprotection/pvcprotection';
import { PVProtectionController } from './volume/pvprotection/pvprotection';
import { TTLAfterFinishedController } from './ttlafterfinished/ttlafterfinished';

/** Adopting (adding a controller reference) or releasing (removing it) a pod, for the ReplicaSet controller. */
const podOwnerPatcher = (client: Client) => async (pod: Pod, ownerReferences: Pod['metadata']['ownerReferences']) =>
  void (await client.resource<Pod>(Pods).patch(pod.metadata.namespace, pod.metadata.name!, {
    metadata: { ownerReferences: ownerReferences ?? null, resourceVersion: pod.metadata.resourceVersion },
  }));

export const CONTROLLERS: ControllerDescriptor[] = [
  {
    name: 'replicaset',
    start: ({ informers, client, recorder, clock }) =>
      new ReplicaSetController(
        informers,
        new RealPodControl(client),
        {
          updateStatus: async (rs) => void (await client.resource<ReplicaSet>(ReplicaSets).updateStatus(rs)),
          patchPodOwners: podOwnerPatcher(client),
        },
        recorder('replicaset-controller'),
        clock,
      ),
  },
  {
    name: 'replicationcontroller',
    start: ({ informers, client, recorder, clock }) =>
      new ReplicationManager(
        informers,
        new RealPodControl(client),
        {
          updateStatus: async (rc) => void (await client.resource<ReplicationController>(ReplicationControllers).updateStatus(rc)),
          patchPodOwners: podOwnerPatcher(client),
        },
        recorder('replication-controller'),
        clock,
      ),
  },
  {
    name: 'deployment',
    start: ({ informers, client, recorder, clock }) => {
      const rs = client.resource<ReplicaSet>(ReplicaSets);
      const d = client.resource<Deployment>(Deployments);
      return new DeploymentController(
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
      );
    },
  },
  {
    name: 'job',
    start: ({ informers, client, recorder, clock }) =>
      new JobController(informers, new RealPodControl(client), realJobWriter(client), recorder('job-controller'), clock),
  },
  {
    name: 'cronjob',
    start: ({ informers, client, recorder, clock }) => {
      const jobs = client.resource<Job>(Jobs);
      const cronJobs = client.resource<CronJob>(CronJobs);
      return new CronJobController(
        informers,
        {
          createJob: (ns, job) => jobs.create(job),
          deleteJob: (ns, name) => jobs.delete(ns, name, { propagationPolicy: 'Background' }),
          updateStatus: (cj) => cronJobs.updateStatus(cj) as Promise<CronJob>,
        },
        recorder('cronjob-controller'),
        clock,
      );
    },
  },
  {
    name: 'daemonset',
    start: ({ informers, client, recorder, clock }) => {
      const daemonSets = client.resource<DaemonSet>(DaemonSets);
      return new DaemonSetsController(
        informers,
        new RealPodControl(client),
        apiRevisionClient(client),
        {
          updateStatus: async (ds) => void (await daemonSets.updateStatus(ds)),
          patchPodOwners: async (pod, ownerReferences) =>
            void (await client.resource<Pod>(Pods).patch(pod.metadata.namespace, pod.metadata.name!, {
              metadata: { ownerReferences: ownerReferences ?? null, resourceVersion: pod.metadata.resourceVersion },
            })),
        },
        recorder('daemonset-controller'),
        clock,
      );
    },
  },
  {
    name: 'ttl-after-finished',
    start: ({ informers, client, clock }) =>
      new TTLAfterFinishedController(
        informers,
        {
          deleteJob: (ns, name, uid) =>
            client.resource<Job>(Jobs).delete(ns, name, { propagationPolicy: 'Foreground', preconditions: { uid } }),
        },
        clock,
      ),
  },
  {
    name: 'statefulset',
    start: ({ informers, client, recorder, clock }) =>
      new StatefulSetController(
        informers,
        apiStatefulPodControl(client),
        apiRevisionClient(client),
        recorder('statefulset-controller'),
        clock,
      ),
  },
  { name: 'endpoints', start: ({ informers, client, clock }) => new EndpointsController(informers, client, clock) },
  { name: 'garbagecollector', start: ({ informers, client, clock }) => new GarbageCollector(informers, client, clock) },
  { name: 'namespace', start: ({ informers, client, clock }) => new NamespaceController(informers, client, clock) },
  { name: 'service-lb', start: ({ informers, client, clock }) => new ServiceLBController(informers, client, clock) },
  {
    name: 'horizontalpodautoscaling',
    start: ({ informers, client, recorder, clock, flags }) =>
      new HorizontalController(informers, client, recorder('horizontal-pod-autoscaler'), clock, {
        syncPeriodMs: parseDuration(flags['horizontal-pod-autoscaler-sync-period']),
        downscaleStabilizationMs: parseDuration(flags['horizontal-pod-autoscaler-downscale-stabilization']),
      }),
  },
  {
    name: 'disruption',
    start: ({ informers, client, recorder, clock }) => {
      const pdbs = client.resource<PodDisruptionBudget>(PodDisruptionBudgets);
      const writer = { updateStatus: async (pdb: PodDisruptionBudget) => void (await pdbs.updateStatus(pdb)) };
      return new DisruptionController(informers, writer, recorder('controllermanager'), clock);
    },
  },
  {
    name: 'persistentvolume-binder',
    start: ({ informers, client, recorder, clock }) =>
      new PersistentVolumeController(informers, volumeWriter(client), recorder('persistentvolume-controller'), clock),
  },
  { name: 'pvc-protection', start: ({ informers, client, clock }) => new PVCProtectionController(informers, volumeWriter(client), clock) },
  { name: 'pv-protection', start: ({ informers, client, clock }) => new PVProtectionController(informers, volumeWriter(client), clock) },
  {
    name: 'local-path-provisioner',
    start: ({ informers, client, recorder, clock, flags }) => {
      const pvs = client.resource<PersistentVolume>(PersistentVolumes);
      const pods = client.resource<Pod>(Pods);
      const api = {
        createVolume: (pv: PersistentVolume) => pvs.create(pv),
        deleteVolume: (name: string) => pvs.delete(undefined, name),
        createPod: (pod: Pod) => pods.create(pod),
        deletePod: (ns: string, name: string) => pods.delete(ns, name),
      };
      const config = { root: path.resolve(flags['local-path-root']), helperImage: flags['local-path-helper-image'] };
      return new LocalPathProvisioner(informers, api, recorder('rancher.io/local-path'), config, clock);
    },
  },
  {
    name: 'nodelifecycle',
    start: ({ informers, client, recorder, clock, flags, logger }) =>
      new NodeLifecycleController(
        informers,
        client,
        recorder('node-controller'),
        clock,
        {
          gracePeriodMs: parseDuration(flags['node-monitor-grace-period']),
          evictionTimeoutMs: parseDuration(flags['pod-eviction-timeout']),
          monitorPeriodMs: parseDuration(flags['node-monitor-period']),
        },
        logger('nodelifecycle'),
      ),
  },
  {
    name: 'nodeipam',
    start: ({ informers, client, clock, flags, logger }) =>
      parseBool(flags['allocate-node-cidrs'])
        ? new NodeIpamController(informers, nodeCIDRWriter(client), flags['cluster-cidr'], clock, logger('nodeipam'))
        : undefined,
  },
  {
    name: 'csrapproving',
    start: ({ informers, client, clock, logger }) => {
      const csrs = client.resource<CertificateSigningRequest>(CertificateSigningRequests);
      const approver = {
        updateApproval: async (csr: CertificateSigningRequest) =>
          void (await csrs.subresource('PUT', undefined, csr.metadata.name!, 'approval', csr)),
        authorized: (csr: CertificateSigningRequest, subresource: string) => mayCreate(client, csr, subresource),
      };
      return new CSRApprovingController(informers, approver, clock, logger('csrapproving'));
    },
  },
  {
    name: 'csrsigning',
    start: ({ informers, client, clock, flags, logger }) => {
      const [certFile, keyFile] = [flags['cluster-signing-cert-file'], flags['cluster-signing-key-file']];
      if (!certFile || !keyFile) return undefined;
      const ca = { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
      const csrs = client.resource<CertificateSigningRequest>(CertificateSigningRequests);
      const signer = { updateStatus: async (csr: CertificateSigningRequest) => void (await csrs.updateStatus(csr)) };
      const duration = parseDuration(flags['cluster-signing-duration']);
      return new CSRSigningController(informers, signer, ca, duration, clock, logger('csrsigning'));
    },
  },
  {
    name: 'serviceaccount',
    start: ({ informers, client, clock }) =>
      new ServiceAccountsController(
        informers,
        { create: async (sa) => void (await client.resource<ServiceAccount>(ServiceAccounts).create(sa)) },
        clock,
      ),
  },
  {
    name: 'root-ca-cert-publisher',
    start: ({ informers, client, clock, flags }) => {
      // --root-ca-file, else the CA this process trusts the apiserver with (as upstream).
      const file = flags['root-ca-file'];
      const rootCA = file ? fs.readFileSync(file, 'utf8') : loadKubeconfig(flags.kubeconfig).ca?.toString();
      if (!rootCA) return undefined;
      const configMaps = client.resource<ConfigMap>(ConfigMaps);
      const writer = {
        create: async (cm: ConfigMap) => void (await configMaps.create(cm)),
        update: async (cm: ConfigMap) => void (await configMaps.update(cm)),
      };
      return new RootCACertPublisher(informers, writer, rootCA, clock);
    },
  },
  {
    name: 'bootstrapsigner',
    disabledByDefault: true,
    start: ({ informers, client, clock }) =>
      new BootstrapSigner(informers, { update: async (cm) => void (await client.resource<ConfigMap>(ConfigMaps).update(cm)) }, clock),
  },
  {
    name: 'tokencleaner',
    disabledByDefault: true,
    start: ({ informers, client, clock, logger }) => {
      const secrets = client.resource<Secret>(Secrets);
      const deleter = { delete: (ns: string, name: string, uid: string) => secrets.delete(ns, name, { preconditions: { uid } }) };
      return new TokenCleaner(informers, deleter, clock, logger('tokencleaner'));
    },
  },
];

/** The writes of the PV controller and the protection controllers. */
function volumeWriter(client: Client): VolumeWriter {
  const pvs = client.resource<PersistentVolume>(PersistentVolumes);
  const pvcs = client.resource<PersistentVolumeClaim>(PersistentVolumeClaims);
  return {
    updateVolume: (pv) => pvs.update(pv),
    updateVolumeStatus: (pv) => pvs.updateStatus(pv),
    updateClaim: (pvc) => pvcs.update(pvc),
    updateClaimStatus: (pvc) => pvcs.updateStatus(pvc),
  };
}

/** Whether the CSR's requester may create the subresource (`selfnodeclient`, ...): a SubjectAccessReview. */
async function mayCreate(client: Client, csr: CertificateSigningRequest, subresource: string): Promise<boolean> {
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
}
