// The PersistentVolume controller (pkg/controller/volume/persistentvolume): binds claims to volumes and
// keeps both phases, one queue for claims (`claim:<ns>/<name>`) and one for volumes (`volume:<name>`)
// sharing one work queue.
//
// A claim without a volume gets the smallest Available volume of its class that fits (capacity, access
// modes, volume mode, selector); a claim whose class binds WaitForFirstConsumer is left to the scheduler,
// which picks the volume (or asks for one with the selected-node annotation) once a pod uses the claim.
// With no volume, a class with a provisioner gets the claim annotated volume.kubernetes.io/storage-provisioner
// for that provisioner to make one. Binding writes the volume's claimRef first, then the claim's
// volumeName and pv.kubernetes.io/bind-completed, then both statuses: a crash in between is finished by
// the next sync of either side. A volume whose claim is gone is Released, then reclaimed: Retain keeps it
// (with its data and claimRef, until an administrator clears it), Delete is the job of the provisioner
// that made it (pv.kubernetes.io/provisioned-by); a Delete volume nobody provisioned is Failed, as in
// Kubernetes without a deleter plugin for it.
import type { PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimPhase, PersistentVolumePhase } from '../../../shared/api/core';
import { objectKey, splitKey } from '../../../shared/api/meta';
import { PersistentVolumeClaims, PersistentVolumes, StorageClasses } from '../../../shared/api/resources';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  isDefaultStorageClass,
  NO_PROVISIONER,
  StorageClass,
} from '../../../shared/api/storage';
import type { Clock } from '../../../shared/clock';
import type { EventRecorder } from '../../../shared/events';
import type { Lister, SharedInformerFactory } from '../../../shared/informer';
import { claimClass, findMatchingVolume, isVolumeBoundToClaim, volumeSatisfiesClaimError } from '../../../shared/pvhelpers';
import { RateLimitingQueue } from '../../../shared/workqueue';
import type { Controller } from '../../controller';

/** The API writes of the controller; each returns the object as stored. */
export interface VolumeWriter {
  updateVolume(pv: PersistentVolume): Promise<PersistentVolume>;
  updateVolumeStatus(pv: PersistentVolume): Promise<PersistentVolume>;
  updateClaim(pvc: PersistentVolumeClaim): Promise<PersistentVolumeClaim>;
  updateClaimStatus(pvc: PersistentVolumeClaim): Promise<PersistentVolumeClaim>;
}

const CLAIM = 'claim:';
const VOLUME = 'volume:';

const annotate = (obj: { metadata: { annotations?: Record<string, string> } }, key: string, value: string) => {
  obj.metadata.annotations = { ...obj.metadata.annotations, [key]: value };
};

export class PersistentVolumeController implements Controller {
  readonly name = 'persistentvolume-binder';
  readonly queue: RateLimitingQueue;
  private readonly volumes: Lister<PersistentVolume>;
  private readonly claims: Lister<PersistentVolumeClaim>;
  private readonly classes: Lister<StorageClass>;

  constructor(
    informers: SharedInformerFactory,
    private readonly writer: VolumeWriter,
    private readonly recorder: EventRecorder,
    clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'persistentvolume-binder' });
    const pvInformer = informers.informerFor<PersistentVolume>(PersistentVolumes);
    const pvcInformer = informers.informerFor<PersistentVolumeClaim>(PersistentVolumeClaims);
    const scInformer = informers.informerFor<StorageClass>(StorageClasses);
    this.volumes = pvInformer.lister;
    this.claims = pvcInformer.lister;
    this.classes = scInformer.lister;
    const volumeChanged = (pv: PersistentVolume) => {
      this.queue.add(VOLUME + pv.metadata.name);
      const ref = pv.spec.claimRef;
      if (ref?.name) this.queue.add(`${CLAIM}${ref.namespace}/${ref.name}`);
    };
    const claimChanged = (pvc: PersistentVolumeClaim) => {
      this.queue.add(CLAIM + objectKey(pvc));
      if (pvc.spec.volumeName) this.queue.add(VOLUME + pvc.spec.volumeName);
    };
    pvInformer.addEventHandler({ add: volumeChanged, update: (_o, pv) => volumeChanged(pv), delete: volumeChanged });
    pvcInformer.addEventHandler({ add: claimChanged, update: (_o, pvc) => claimChanged(pvc), delete: claimChanged });
    // A new class (a default one, or the one a claim names) may let waiting claims bind.
    const classChanged = () => this.claims.list().forEach((c) => !c.spec.volumeName && this.queue.add(CLAIM + objectKey(c)));
    scInformer.addEventHandler({ add: classChanged, update: classChanged });
  }

  async sync(key: string): Promise<void> {
    if (key.startsWith(CLAIM)) {
      const { namespace, name } = splitKey(key.slice(CLAIM.length));
      const claim = this.claims.get(namespace, name);
      if (claim) await this.syncClaim(structuredClone(claim));
    } else if (key.startsWith(VOLUME)) {
      const volume = this.volumes.get(undefined, key.slice(VOLUME.length));
      if (volume) await this.syncVolume(structuredClone(volume));
    }
  }

  // ---- claims ----------------------------------------------------------------------------------------

  async syncClaim(claim: PersistentVolumeClaim): Promise<void> {
    if (claim.metadata.annotations?.[ANN_BIND_COMPLETED] !== 'yes') await this.syncUnboundClaim(claim);
    else await this.syncBoundClaim(claim);
  }

  private classOf(claim: PersistentVolumeClaim): StorageClass | undefined {
    const name = claimClass(claim);
    return name ? this.classes.get(undefined, name) : undefined;
  }

  private async syncUnboundClaim(claim: PersistentVolumeClaim): Promise<void> {
    if (claim.spec.storageClassName === undefined) {
      // Retroactive default StorageClass assignment: a claim created before any default class existed.
      const defaults = this.classes.list().filter(isDefaultStorageClass);
      if (defaults.length) {
        defaults.sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
        claim.spec.storageClassName = defaults[0].metadata.name;
        await this.writer.updateClaim(claim);
        return;
      }
    }
    if (!claim.spec.volumeName) {
      const sc = this.classOf(claim);
      const delayBinding = sc?.volumeBindingMode === 'WaitForFirstConsumer';
      const volume = findMatchingVolume(claim, this.volumes.list(), { delayBinding });
      if (volume) {
        await this.bind(structuredClone(volume), claim);
        return;
      }
      if (delayBinding && !claim.metadata.annotations?.[ANN_SELECTED_NODE]) {
        this.recorder.event(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      } else if (claimClass(claim) && !sc) {
        this.recorder.event(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${claimClass(claim)}" not found`);
      } else if (sc && sc.provisioner !== NO_PROVISIONER) {
        await this.provisionClaim(claim, sc);
        return;
      } else {
        this.recorder.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      }
      await this.updateClaimPhase(claim, 'Pending');
      return;
    }
    // The user asked for this volume.
    const volume = this.volumes.get(undefined, claim.spec.volumeName);
    if (!volume) {
      await this.updateClaimPhase(claim, 'Pending');
      return;
    }
    if (!volume.spec.claimRef) {
      const mismatch = volumeSatisfiesClaimError(volume, claim);
      if (mismatch) {
        this.recorder.event(claim, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volume.metadata.name}": ${mismatch}`);
        await this.updateClaimPhase(claim, 'Pending');
        return;
      }
      await this.bind(structuredClone(volume), claim);
    } else if (isVolumeBoundToClaim(volume, claim)) {
      await this.bind(structuredClone(volume), claim);
    } else {
      this.recorder.event(claim, 'Warning', 'FailedBinding', `volume "${volume.metadata.name}" already bound to a different claim.`);
      await this.updateClaimPhase(claim, 'Pending');
    }
  }

  /** Asks the class's provisioner for a volume: the annotation it watches, and an event saying whom the claim waits for. */
  private async provisionClaim(claim: PersistentVolumeClaim, sc: StorageClass): Promise<void> {
    this.recorder.event(
      claim,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${sc.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
    const annotations = claim.metadata.annotations ?? {};
    if (annotations[ANN_STORAGE_PROVISIONER] === sc.provisioner && annotations[ANN_BETA_STORAGE_PROVISIONER] === sc.provisioner) return;
    annotate(claim, ANN_STORAGE_PROVISIONER, sc.provisioner);
    annotate(claim, ANN_BETA_STORAGE_PROVISIONER, sc.provisioner);
    await this.writer.updateClaim(claim);
  }

  private async syncBoundClaim(claim: PersistentVolumeClaim): Promise<void> {
    if (!claim.spec.volumeName) {
      await this.claimLost(claim, 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
      return;
    }
    const volume = this.volumes.get(undefined, claim.spec.volumeName);
    if (!volume) {
      await this.claimLost(claim, 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
    } else if (!volume.spec.claimRef || isVolumeBoundToClaim(volume, claim)) {
      await this.bind(structuredClone(volume), claim);
    } else {
      await this.claimLost(claim, 'Two claims are bound to the same volume, this one is bound incorrectly');
    }
  }

  private async claimLost(claim: PersistentVolumeClaim, message: string): Promise<void> {
    if (claim.status?.phase !== 'Lost') this.recorder.event(claim, 'Warning', 'ClaimLost', message);
    await this.updateClaimPhase(claim, 'Lost');
  }

  private async updateClaimPhase(claim: PersistentVolumeClaim, phase: PersistentVolumeClaimPhase): Promise<PersistentVolumeClaim> {
    if (claim.status?.phase === phase) return claim;
    claim.status = { ...claim.status, phase };
    return this.writer.updateClaimStatus(claim);
  }

  /**
   * Binds the volume and the claim to each other, writing only what is not so yet: the volume's claimRef,
   * its phase, the claim's volumeName and annotations, its status (phase, capacity, access modes).
   */
  private async bind(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    const ref = volume.spec.claimRef;
    if (!ref || ref.uid !== claim.metadata.uid || ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) {
      if (!ref) annotate(volume, ANN_BOUND_BY_CONTROLLER, 'yes');
      volume.spec.claimRef = {
        kind: 'PersistentVolumeClaim',
        namespace: claim.metadata.namespace,
        name: claim.metadata.name,
        uid: claim.metadata.uid,
        apiVersion: 'v1',
        resourceVersion: claim.metadata.resourceVersion,
      };
      volume = await this.writer.updateVolume(volume);
    }
    await this.updateVolumePhase(volume, 'Bound');
    const annotations = claim.metadata.annotations ?? {};
    if (claim.spec.volumeName !== volume.metadata.name || annotations[ANN_BIND_COMPLETED] !== 'yes') {
      if (claim.spec.volumeName !== volume.metadata.name) {
        claim.spec.volumeName = volume.metadata.name;
        annotate(claim, ANN_BOUND_BY_CONTROLLER, 'yes');
      }
      annotate(claim, ANN_BIND_COMPLETED, 'yes');
      claim = await this.writer.updateClaim(claim);
    }
    const status = claim.status ?? {};
    const capacity = volume.spec.capacity ?? {};
    const modes = volume.spec.accessModes ?? [];
    if (status.phase !== 'Bound' || status.capacity?.storage !== capacity.storage || status.accessModes?.join() !== modes.join()) {
      claim.status = { ...status, phase: 'Bound', capacity, accessModes: modes };
      await this.writer.updateClaimStatus(claim);
    }
  }

  // ---- volumes ---------------------------------------------------------------------------------------

  async syncVolume(volume: PersistentVolume): Promise<void> {
    const ref = volume.spec.claimRef;
    if (!ref) {
      await this.updateVolumePhase(volume, 'Available');
      return;
    }
    const claim = this.claims.get(ref.namespace, ref.name ?? '');
    if (!ref.uid) {
      // Pre-bound by the user to a claim that may not exist yet: the claim's sync finishes the binding.
      await this.updateVolumePhase(volume, 'Available');
      return;
    }
    if (!claim || claim.metadata.uid !== ref.uid) {
      // Its claim is gone: Released, then what its reclaim policy says.
      if (volume.status?.phase !== 'Released' && volume.status?.phase !== 'Failed')
        volume = await this.updateVolumePhase(volume, 'Released');
      if (volume.status?.phase === 'Released') await this.reclaimVolume(volume);
      return;
    }
    if (!claim.spec.volumeName) {
      // The scheduler (or an earlier sync) wrote the claimRef; the claim's sync finishes the binding.
      this.queue.add(CLAIM + objectKey(claim));
      return;
    }
    if (claim.spec.volumeName === volume.metadata.name) {
      await this.updateVolumePhase(volume, 'Bound');
      return;
    }
    // The claim is bound to another volume.
    if (volume.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] === 'yes') {
      delete volume.spec.claimRef;
      const { [ANN_BOUND_BY_CONTROLLER]: _dropped, ...rest } = volume.metadata.annotations;
      volume.metadata.annotations = rest;
      volume = await this.writer.updateVolume(volume);
    }
    await this.updateVolumePhase(volume, 'Available');
  }

  private async reclaimVolume(volume: PersistentVolume): Promise<void> {
    switch (volume.spec.persistentVolumeReclaimPolicy) {
      case 'Delete':
        // A provisioner deletes what it made; nothing else here can delete a volume.
        if (volume.metadata.annotations?.[ANN_PROVISIONED_BY]) return;
        await this.volumeFailed(
          volume,
          'VolumeFailedDelete',
          `error getting deleter volume plugin for volume "${volume.metadata.name}": no deletable volume plugin matched`,
        );
        return;
      case 'Recycle':
        await this.volumeFailed(volume, 'VolumeFailedRecycle', 'No recycler plugin found for the volume!');
        return;
      default:
        return; // Retain: the volume and its data stay Released until an administrator acts.
    }
  }

  private async volumeFailed(volume: PersistentVolume, reason: string, message: string): Promise<void> {
    this.recorder.event(volume, 'Warning', reason, message);
    volume.status = { ...volume.status, phase: 'Failed', message };
    await this.writer.updateVolumeStatus(volume);
  }

  private async updateVolumePhase(volume: PersistentVolume, phase: PersistentVolumePhase): Promise<PersistentVolume> {
    if (volume.status?.phase === phase) return volume;
    const { message: _m, reason: _r, ...rest } = volume.status ?? {};
    volume.status = { ...rest, phase };
    return this.writer.updateVolumeStatus(volume);
  }
}
