// ReplicationControllers: kept at spec.replicas pods by the replicaset controller's logic, over an equality
// selector. Printed as NAME DESIRED CURRENT READY AGE | CONTAINERS IMAGES SELECTOR.
import type { ReplicationController } from '../../../shared/api/core';
import { defaultReplicationController } from '../../../shared/api/defaults/core';
import { ReplicationControllers } from '../../../shared/api/resources';
import { validateReplicationController } from '../../../shared/api/validation/core';
import { formatLabelSelector } from '../../../shared/labels';
import { age } from '../../printers/age';
import { containers, images } from '../../printers/podtemplate';
import { col, Printer } from '../../printers/table';
import { clearStatus, specChanged, Strategy } from '../strategy';

const replicationControllerPrinter: Printer<ReplicationController> = {
  columns: [col('Desired'), col('Current'), col('Ready'), col('Age'), col('Containers', 1), col('Images', 1), col('Selector', 1)],
  cells(rc, now) {
    const s = rc.status;
    return [
      rc.spec.replicas ?? 1,
      s?.replicas ?? 0,
      s?.readyReplicas ?? 0,
      age(rc.metadata.creationTimestamp, now),
      containers(rc.spec.template),
      images(rc.spec.template),
      formatLabelSelector({ matchLabels: rc.spec.selector }),
    ];
  },
};

export const replicationControllerStrategy: Strategy<ReplicationController> = {
  resource: ReplicationControllers,
  defaults: defaultReplicationController,
  validate: validateReplicationController,
  printer: replicationControllerPrinter,
  generationChanged: specChanged,
  prepareForCreate: clearStatus,
};
