// The replication manager: ReplicationControllers kept by the ReplicaSet controller, as upstream's
// pkg/controller/replication wraps pkg/controller/replicaset. A ReplicationController is read as the
// ReplicaSet it would be (its equality selector as matchLabels); pods, events and status are its own.
import type { ReplicaSet } from '../../shared/api/apps';
import type { ReplicationController } from '../../shared/api/core';
import { ReplicationControllers } from '../../shared/api/resources';
import type { Clock } from '../../shared/clock';
import type { EventRecorder } from '../../shared/events';
import type { SharedInformerFactory } from '../../shared/informer';
import type { PodControl } from '../podcontrol';
import { ReplicaSetController, ReplicaSetKind, StatusWriter } from '../replicaset/replicaset';

/** A ReplicationController seen as a ReplicaSet (upstream's conversion.go). */
export function replicaSetOf(rc: ReplicationController): ReplicaSet {
  return {
    ...rc,
    spec: {
      replicas: rc.spec.replicas,
      minReadySeconds: rc.spec.minReadySeconds,
      selector: { matchLabels: { ...rc.spec.selector } },
      template: rc.spec.template ?? { spec: { containers: [] } },
    },
  };
}

export const ReplicationControllerKind: ReplicaSetKind<ReplicationController> = {
  resource: ReplicationControllers,
  name: 'replicationcontroller',
  asReplicaSet: replicaSetOf,
};

export class ReplicationManager extends ReplicaSetController<ReplicationController> {
  constructor(
    informers: SharedInformerFactory,
    podControl: PodControl,
    writer: StatusWriter<ReplicationController>,
    recorder: EventRecorder,
    clock: Clock,
  ) {
    super(informers, podControl, writer, recorder, clock, ReplicationControllerKind);
  }
}
