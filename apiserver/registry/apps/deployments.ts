// Deployments: rolled out by the deployment controller through ReplicaSets. Upstream's strategy bumps the
// generation on spec changes and on annotation changes (annotations are copied to the ReplicaSets).
// Printed as NAME READY UP-TO-DATE AVAILABLE AGE | CONTAINERS IMAGES SELECTOR.
import type { Deployment } from '../../../shared/api/apps';
import { defaultDeployment } from '../../../shared/api/defaults/apps';
import { Deployments } from '../../../shared/api/resources';
import { validateDeployment } from '../../../shared/api/validation/apps';
import { semanticallyEqual } from '../../../shared/equality';
import { formatLabelSelector } from '../../../shared/labels';
import { age } from '../../printers/age';
import { containers, images } from '../../printers/podtemplate';
import { col, Printer } from '../../printers/table';
import { clearStatus, specChanged, Strategy } from '../strategy';

const deploymentPrinter: Printer<Deployment> = {
  columns: [col('Ready'), col('Up-to-date'), col('Available'), col('Age'), col('Containers', 1), col('Images', 1), col('Selector', 1)],
  cells(d, now) {
    const s = d.status ?? {};
    return [
      `${s.readyReplicas ?? 0}/${d.spec.replicas ?? 1}`,
      s.updatedReplicas ?? 0,
      s.availableReplicas ?? 0,
      age(d.metadata.creationTimestamp, now),
      containers(d.spec.template),
      images(d.spec.template),
      formatLabelSelector(d.spec.selector),
    ];
  },
};

export const deploymentStrategy: Strategy<Deployment> = {
  resource: Deployments,
  defaults: defaultDeployment,
  validate: validateDeployment,
  printer: deploymentPrinter,
  generationChanged: (d, old) => specChanged(d, old) || !semanticallyEqual(d.metadata.annotations, old.metadata.annotations),
  prepareForCreate: clearStatus,
};
