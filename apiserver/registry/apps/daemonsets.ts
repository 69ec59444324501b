// DaemonSets: one pod per eligible node, kept by the daemonset controller. Printed as NAME DESIRED CURRENT
// READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE | CONTAINERS IMAGES SELECTOR.
import { DAEMONSET_TEMPLATE_GENERATION, DaemonSet } from '../../../shared/api/apps';
import { defaultDaemonSet } from '../../../shared/api/defaults/apps';
import { DaemonSets } from '../../../shared/api/resources';
import { validateDaemonSet } from '../../../shared/api/validation/apps';
import { semanticallyEqual } from '../../../shared/equality';
import { formatLabels, formatLabelSelector } from '../../../shared/labels';
import { age } from '../../printers/age';
import { containers, images } from '../../printers/podtemplate';
import { col, Printer } from '../../printers/table';
import { clearStatus, specChanged, Strategy } from '../strategy';

const daemonSetPrinter: Printer<DaemonSet> = {
  columns: [
    col('Desired', 0, 'integer'),
    col('Current', 0, 'integer'),
    col('Ready', 0, 'integer'),
    col('Up-to-date', 0, 'integer'),
    col('Available', 0, 'integer'),
    col('Node Selector'),
    col('Age'),
    col('Containers', 1),
    col('Images', 1),
    col('Selector', 1),
  ],
  cells(ds, now) {
    const s = ds.status;
    return [
      s?.desiredNumberScheduled ?? 0,
      s?.currentNumberScheduled ?? 0,
      s?.numberReady ?? 0,
      s?.updatedNumberScheduled ?? 0,
      s?.numberAvailable ?? 0,
      formatLabels(ds.spec.template?.spec?.nodeSelector),
      age(ds.metadata.creationTimestamp, now),
      containers(ds.spec.template),
      images(ds.spec.template),
      formatLabelSelector(ds.spec.selector),
    ];
  },
};

export const daemonSetStrategy: Strategy<DaemonSet> = {
  resource: DaemonSets,
  defaults: defaultDaemonSet,
  validate: validateDaemonSet,
  printer: daemonSetPrinter,
  generationChanged: specChanged,
  // The template generation (apps/v1 keeps it in an annotation) starts at 1 and grows with every template
  // change; daemon pods carry it as their pod-template-generation label.
  prepareForCreate(ds) {
    clearStatus(ds);
    const annotations = (ds.metadata.annotations ??= {});
    if (!(Number(annotations[DAEMONSET_TEMPLATE_GENERATION]) >= 1)) annotations[DAEMONSET_TEMPLATE_GENERATION] = '1';
  },
  prepareForUpdate(ds, old) {
    const generation = Number(old.metadata.annotations?.[DAEMONSET_TEMPLATE_GENERATION] ?? 1);
    const changed = !semanticallyEqual(ds.spec.template, old.spec.template);
    (ds.metadata.annotations ??= {})[DAEMONSET_TEMPLATE_GENERATION] = String(changed ? generation + 1 : generation);
  },
};
