// The local-path provisioner (the idea of k3s's rancher.io/local-path): makes a directory-backed
// PersistentVolume for each claim of a class whose provisioner is rancher.io/local-path, on the node the
// scheduler chose for the claim's first pod (volume.kubernetes.io/selected-node: the class binds
// WaitForFirstConsumer), and removes the directory when the volume is released with reclaim policy Delete.
//
// Where the directory is made, and how it goes, since it lives on a node and this process is not there:
//   - the volume is a hostPath of type DirectoryOrCreate, <root>/<pv>_<namespace>_<claim>, with node
//     affinity to that node: the kubelet makes the directory when it first mounts the volume there;
//   - deletion runs a helper pod on that node (kube-system, `rm -rf` of the one directory, the root
//     mounted at /data), as k3s's provisioner does, and deletes the volume once the pod has succeeded.
// Every path is built here from names the apiserver validated (a pv-<uid> name, a namespace and a claim
// name: DNS labels and subdomains, never `/` or `..`), and checked to be one entry directly under the
// root both when it is made and before it is deleted, so neither a volume written by hand nor an odd
// name can make the helper remove anything but a directory this provisioner made. Inside the helper the
// path is resolved in the container's own mount namespace: a link planted in the volume by a pod can
// point nowhere outside the helper's /data.
import path from 'node:path';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from '../../../shared/api/core';
import { objectKey, splitKey } from '../../../shared/api/meta';
import { Nodes, PersistentVolumeClaims, PersistentVolumes, Pods, StorageClasses } from '../../../shared/api/resources';
import {
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  LOCAL_PATH_PROVISIONER,
  StorageClass,
} from '../../../shared/api/storage';
import type { Clock } from '../../../shared/clock';
import { isAlreadyExists, isNotFound } from '../../../shared/errors';
import type { EventRecorder } from '../../../shared/events';
import type { Lister, SharedInformerFactory } from '../../../shared/informer';
import { claimClass } from '../../../shared/pvhelpers';
import { RateLimitingQueue } from '../../../shared/workqueue';
import type { Controller } from '../../controller';

export const HELPER_NAMESPACE = 'kube-system';
const HELPER_LABEL = 'local-path-provisioner.mini-kubernetes.io/volume';
const HELPER_MOUNT = '/data';

export interface LocalPathConfig {
  /** The directory on every node under which volumes are made (--local-path-root). */
  root: string;
  /** The image of the helper pods (--local-path-helper-image); it needs only `rm`. */
  helperImage: string;
}

export interface ProvisionerClient {
  createVolume(pv: PersistentVolume): Promise<unknown>;
  deleteVolume(name: string): Promise<unknown>;
  createPod(pod: Pod): Promise<unknown>;
  deletePod(namespace: string, name: string): Promise<unknown>;
}

/** `pvc-<uid>_<namespace>_<claim>` (k3s's layout), or undefined when a part could make it more than one path entry. */
export function volumeDirName(pvName: string, claim: PersistentVolumeClaim): string | undefined {
  const parts = [pvName, claim.metadata.namespace ?? '', claim.metadata.name ?? ''];
  const safe = parts.every((p) => /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(p) && !p.includes('..'));
  return safe ? parts.join('_') : undefined;
}

/** The directory of a volume, if it is one entry directly under the root (what deletion insists on). */
export function confinedDir(root: string, volumePath: string | undefined): string | undefined {
  if (!volumePath || !path.isAbsolute(volumePath)) return undefined;
  const normal = path.normalize(volumePath);
  const name = path.basename(normal);
  if (path.dirname(normal) !== path.normalize(root) || !name || name === '.' || name === '..') return undefined;
  return /^[a-z0-9][-a-z0-9._]*$/.test(name) ? name : undefined;
}

const helperName = (pv: string) => `helper-pod-delete-${pv}`;

/** The node a volume made here is on: its node affinity's only value. */
function nodeOf(pv: PersistentVolume): string | undefined {
  const term = pv.spec.nodeAffinity?.required?.nodeSelectorTerms?.[0];
  return term?.matchFields?.find((f) => f.key === 'metadata.name')?.values?.[0] ?? term?.matchExpressions?.[0]?.values?.[0];
}

export class LocalPathProvisioner implements Controller {
  readonly name = 'local-path-provisioner';
  readonly queue: RateLimitingQueue;
  private readonly claims: Lister<PersistentVolumeClaim>;
  private readonly volumes: Lister<PersistentVolume>;
  private readonly classes: Lister<StorageClass>;
  private readonly pods: Lister<Pod>;
  private readonly nodes: Lister<Node>;

  constructor(
    informers: SharedInformerFactory,
    private readonly api: ProvisionerClient,
    private readonly recorder: EventRecorder,
    private readonly config: LocalPathConfig,
    clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'local-path-provisioner' });
    const claims = informers.informerFor<PersistentVolumeClaim>(PersistentVolumeClaims);
    const volumes = informers.informerFor<PersistentVolume>(PersistentVolumes);
    const pods = informers.informerFor<Pod>(Pods);
    this.claims = claims.lister;
    this.volumes = volumes.lister;
    this.classes = informers.informerFor<StorageClass>(StorageClasses).lister;
    this.pods = pods.lister;
    this.nodes = informers.informerFor<Node>(Nodes).lister;
    const claimChanged = (pvc: PersistentVolumeClaim) => this.queue.add(`claim:${objectKey(pvc)}`);
    claims.addEventHandler({ add: claimChanged, update: (_o, pvc) => claimChanged(pvc) });
    const volumeChanged = (pv: PersistentVolume) => this.queue.add(`volume:${pv.metadata.name}`);
    volumes.addEventHandler({ add: volumeChanged, update: (_o, pv) => volumeChanged(pv), delete: volumeChanged });
    const helperChanged = (pod: Pod) => {
      const pv = pod.metadata.labels?.[HELPER_LABEL];
      if (pv && pod.metadata.namespace === HELPER_NAMESPACE) this.queue.add(`volume:${pv}`);
    };
    pods.addEventHandler({ add: helperChanged, update: (_o, pod) => helperChanged(pod), delete: helperChanged });
  }

  async sync(key: string): Promise<void> {
    if (key.startsWith('claim:')) {
      const { namespace, name } = splitKey(key.slice('claim:'.length));
      const claim = this.claims.get(namespace, name);
      if (claim) await this.provision(claim);
    } else if (key.startsWith('volume:')) {
      const name = key.slice('volume:'.length);
      const pv = this.volumes.get(undefined, name);
      if (pv) await this.reclaim(pv);
      else if (this.pods.get(HELPER_NAMESPACE, helperName(name))) {
        // The volume is gone (deleted once its helper succeeded): the helper goes too.
        await this.ignoreNotFound(this.api.deletePod(HELPER_NAMESPACE, helperName(name)));
      }
    }
  }

  // ---- provisioning ----------------------------------------------------------------------------------

  private async provision(claim: PersistentVolumeClaim): Promise<void> {
    const annotations = claim.metadata.annotations ?? {};
    if (claim.spec.volumeName || claim.metadata.deletionTimestamp || annotations[ANN_STORAGE_PROVISIONER] !== LOCAL_PATH_PROVISIONER)
      return;
    const sc = this.classes.get(undefined, claimClass(claim));
    if (!sc || sc.provisioner !== LOCAL_PATH_PROVISIONER) return;
    const pvName = `pvc-${claim.metadata.uid}`;
    if (this.volumes.get(undefined, pvName)) return; // made already; the PV controller binds it
    const failed = (message: string) =>
      this.recorder.event(
        claim,
        'Warning',
        'ProvisioningFailed',
        `failed to provision volume with StorageClass "${sc.metadata.name}": ${message}`,
      );
    const nodeName = annotations[ANN_SELECTED_NODE];
    if (!nodeName) return failed('configuration error, no node was specified');
    const modes = claim.spec.accessModes ?? [];
    if (modes.some((m) => m !== 'ReadWriteOnce' && m !== 'ReadWriteOncePod'))
      return failed('NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes');
    if (claim.spec.volumeMode === 'Block') return failed('local-path volumes are directories: volumeMode Block is not supported');
    const dir = volumeDirName(pvName, claim);
    if (!dir) return failed(`the claim's name and namespace do not make one directory name`);
    const volumePath = path.join(this.config.root, dir);
    if (confinedDir(this.config.root, volumePath) !== dir) return failed(`${volumePath} is not directly under ${this.config.root}`);
    this.recorder.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${objectKey(claim)}"`);
    const hostname = this.nodes.get(undefined, nodeName)?.metadata.labels?.['kubernetes.io/hostname'];
    const pv: PersistentVolume = {
      metadata: { name: pvName, annotations: { [ANN_PROVISIONED_BY]: LOCAL_PATH_PROVISIONER, [ANN_SELECTED_NODE]: nodeName } },
      spec: {
        capacity: { storage: claim.spec.resources?.requests?.storage ?? '0' },
        accessModes: modes,
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: sc.metadata.name,
        volumeMode: 'Filesystem',
        hostPath: { path: volumePath, type: 'DirectoryOrCreate' },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              hostname
                ? { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [hostname] }] }
                : { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] },
            ],
          },
        },
        claimRef: {
          kind: 'PersistentVolumeClaim',
          apiVersion: 'v1',
          namespace: claim.metadata.namespace,
          name: claim.metadata.name,
          uid: claim.metadata.uid,
          resourceVersion: claim.metadata.resourceVersion,
        },
      },
    };
    try {
      await this.api.createVolume(pv);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    this.recorder.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }

  // ---- deleting --------------------------------------------------------------------------------------

  private async reclaim(pv: PersistentVolume): Promise<void> {
    if (pv.metadata.annotations?.[ANN_PROVISIONED_BY] !== LOCAL_PATH_PROVISIONER) return;
    if (pv.status?.phase !== 'Released' || pv.spec.persistentVolumeReclaimPolicy !== 'Delete') return;
    const name = pv.metadata.name!;
    const helper = this.pods.get(HELPER_NAMESPACE, helperName(name));
    if (!helper) {
      const dir = confinedDir(this.config.root, pv.spec.hostPath?.path);
      const node = nodeOf(pv);
      if (!dir || !node) {
        this.recorder.event(
          pv,
          'Warning',
          'VolumeFailedDelete',
          `refusing to delete ${pv.spec.hostPath?.path ?? 'a volume without a path'}: not a directory directly under ${this.config.root} on a known node`,
        );
        return;
      }
      await this.createHelper(name, dir, node);
      return;
    }
    if (helper.status?.phase === 'Succeeded') {
      // The helper is deleted once the volume is seen gone (sync of the volume's key, below).
      await this.ignoreNotFound(this.api.deleteVolume(name));
    } else if (helper.status?.phase === 'Failed') {
      this.recorder.event(
        pv,
        'Warning',
        'VolumeFailedDelete',
        `failed to delete volume ${name}: helper pod ${helper.metadata.name} failed`,
      );
      await this.ignoreNotFound(this.api.deletePod(HELPER_NAMESPACE, helper.metadata.name!));
      throw new Error(`helper pod for ${name} failed`); // tried again with back-off
    }
  }

  private async createHelper(pvName: string, dir: string, node: string): Promise<void> {
    const pod: Pod = {
      metadata: { name: helperName(pvName), namespace: HELPER_NAMESPACE, labels: { [HELPER_LABEL]: pvName } },
      spec: {
        nodeName: node,
        restartPolicy: 'Never',
        tolerations: [{ operator: 'Exists' }],
        containers: [
          {
            name: 'helper-pod',
            image: this.config.helperImage,
            imagePullPolicy: 'IfNotPresent',
            // The name was checked to be one plain entry; `--` ends rm's options whatever it starts with.
            command: ['rm', '-rf', '--', `${HELPER_MOUNT}/${dir}`],
            volumeMounts: [{ name: 'data', mountPath: HELPER_MOUNT }],
          },
        ],
        volumes: [{ name: 'data', hostPath: { path: this.config.root, type: 'DirectoryOrCreate' } }],
      },
    };
    try {
      await this.api.createPod(pod);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  private async ignoreNotFound(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
