// ReplicaSets: kept at spec.replicas pods by the replicaset controller. Printed as NAME DESIRED CURRENT
// READY AGE | CONTAINERS IMAGES SELECTOR.
import type { ReplicaSet } from '../../../shared/api/apps';
import { defaultReplicaSet } from '../../../shared/api/defaults/apps';
import { ReplicaSets } from '../../../shared/api/resources';
import { validateReplicaSet } from '../../../shared/api/validation/apps';
import { formatLabelSelector } from '../../../shared/labels';
import { age } from '../../printers/age';
import { containers, images } from '../../printers/podtemplate';
import { col, Printer } from '../../printers/table';
import { clearStatus, specChanged, Strategy } from '../strategy';

const replicaSetPrinter: Printer<ReplicaSet> = {
  columns: [col('Desired'), col('Current'), col('Ready'), col('Age'), col('Containers', 1), col('Images', 1), col('Selector', 1)],
  cells(rs, now) {
    const s = rs.status;
    return [
      rs.spec.replicas ?? 1,
      s?.replicas ?? 0,
      s?.readyReplicas ?? 0,
      age(rs.metadata.creationTimestamp, now),
      containers(rs.spec.template),
      images(rs.spec.template),
      formatLabelSelector(rs.spec.selector),
    ];
  },
};

export const replicaSetStrategy: Strategy<ReplicaSet> = {
  resource: ReplicaSets,
  defaults: defaultReplicaSet,
  validate: validateReplicaSet,
  printer: replicaSetPrinter,
  generationChanged: specChanged,
  prepareForCreate: clearStatus,
};
