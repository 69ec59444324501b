// The PV protection controller (pkg/controller/volume/pvprotection): a volume carries the
// kubernetes.io/pv-protection finalizer, and once deleted keeps it, Terminating, while it is Bound to a
// claim; when it is not (Available, Released, Failed), the finalizer goes and the volume with it.
import type { PersistentVolume } from '../../../shared/api/core';
import { PersistentVolumes } from '../../../shared/api/resources';
import { PV_PROTECTION_FINALIZER } from '../../../shared/api/storage';
import type { Clock } from '../../../shared/clock';
import type { Lister, SharedInformerFactory } from '../../../shared/informer';
import { RateLimitingQueue } from '../../../shared/workqueue';
import type { Controller } from '../../controller';

export interface VolumeUpdater {
  updateVolume(pv: PersistentVolume): Promise<unknown>;
}

export class PVProtectionController implements Controller {
  readonly name = 'persistentvolume-protection';
  readonly queue: RateLimitingQueue;
  private readonly volumes: Lister<PersistentVolume>;

  constructor(
    informers: SharedInformerFactory,
    private readonly writer: VolumeUpdater,
    clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'pvprotection' });
    const informer = informers.informerFor<PersistentVolume>(PersistentVolumes);
    this.volumes = informer.lister;
    const enqueue = (pv: PersistentVolume) => this.queue.add(pv.metadata.name!);
    informer.addEventHandler({ add: enqueue, update: (_o, pv) => enqueue(pv) });
  }

  async sync(name: string): Promise<void> {
    const cached = this.volumes.get(undefined, name);
    if (!cached) return;
    const finalizers = cached.metadata.finalizers ?? [];
    const has = finalizers.includes(PV_PROTECTION_FINALIZER);
    if (!cached.metadata.deletionTimestamp) {
      if (has) return;
      const pv = structuredClone(cached);
      pv.metadata.finalizers = [...finalizers, PV_PROTECTION_FINALIZER];
      await this.writer.updateVolume(pv);
      return;
    }
    if (!has || cached.status?.phase === 'Bound') return;
    const pv = structuredClone(cached);
    pv.metadata.finalizers = finalizers.filter((f) => f !== PV_PROTECTION_FINALIZER);
    await this.writer.updateVolume(pv);
  }
}
