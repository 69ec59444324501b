// StatefulSets: pods with stable names and claims, kept by the statefulset controller. Printed as NAME
// READY AGE | CONTAINERS IMAGES.
import type { StatefulSet } from '../../../shared/api/apps';
import { defaultStatefulSet } from '../../../shared/api/defaults/apps';
import { StatefulSets } from '../../../shared/api/resources';
import { validateStatefulSet } from '../../../shared/api/validation/apps';
import { age } from '../../printers/age';
import { containers, images } from '../../printers/podtemplate';
import { col, Printer } from '../../printers/table';
import { clearStatus, specChanged, Strategy } from '../strategy';

const statefulSetPrinter: Printer<StatefulSet> = {
  columns: [col('Ready'), col('Age'), col('Containers', 1), col('Images', 1)],
  cells(sts, now) {
    return [
      `${sts.status?.readyReplicas ?? 0}/${sts.spec.replicas ?? 1}`,
      age(sts.metadata.creationTimestamp, now),
      containers(sts.spec.template),
      images(sts.spec.template),
    ];
  },
};

export const statefulSetStrategy: Strategy<StatefulSet> = {
  resource: StatefulSets,
  defaults: defaultStatefulSet,
  validate: validateStatefulSet,
  printer: statefulSetPrinter,
  generationChanged: specChanged,
  prepareForCreate: (sts) => {
    clearStatus(sts);
    (sts.status as { replicas: number }).replicas = 0;
  },
};
