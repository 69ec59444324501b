// ControllerRevisions: the template history of DaemonSets and StatefulSets, written by their controllers
// and read by `kubectl rollout history|undo`. Printed as NAME CONTROLLER REVISION AGE.
import type { ControllerRevision } from '../../../shared/api/apps';
import { controllerOf } from '../../../shared/api/meta';
import { ControllerRevisions } from '../../../shared/api/resources';
import { validateControllerRevision } from '../../../shared/api/validation/apps';
import { age } from '../../printers/age';
import { col, Printer } from '../../printers/table';
import type { Strategy } from '../strategy';

const controllerRevisionPrinter: Printer<ControllerRevision> = {
  columns: [col('Controller'), col('Revision', 0, 'integer'), col('Age')],
  cells(cr, now) {
    const ref = controllerOf(cr);
    const group = ref?.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
    const controller = ref ? `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}` : '<none>';
    return [controller, cr.revision, age(cr.metadata.creationTimestamp, now)];
  },
};

export const controllerRevisionStrategy: Strategy<ControllerRevision> = {
  resource: ControllerRevisions,
  validate: validateControllerRevision,
  printer: controllerRevisionPrinter,
};
