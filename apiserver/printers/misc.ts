// Columns of the smaller kinds: Namespace, Event, ConfigMap, Secret, Lease.
import type { ConfigMap, Event, Namespace, Secret } from '../../shared/api/core';
import type { Lease } from '../../shared/api/coordination';
import { age } from './age';
import { col, Printer } from './table';

export const namespacePrinter: Printer<Namespace> = {
  columns: [col('Status'), col('Age')],
  cells: (ns, now) => [ns.status?.phase ?? 'Active', age(ns.metadata.creationTimestamp, now)],
};

export const eventPrinter: Printer<Event> = {
  columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message')],
  cells(ev, now) {
    const o = ev.involvedObject;
    const last = ev.lastTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp ?? undefined;
    return [age(last ?? undefined, now), ev.type ?? 'Normal', ev.reason ?? '', `${(o.kind ?? '').toLowerCase()}/${o.name}`, ev.message ?? ''];
  },
};

export const configMapPrinter: Printer<ConfigMap> = {
  columns: [col('Data'), col('Age')],
  cells: (cm, now) => [Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, age(cm.metadata.creationTimestamp, now)],
};

export const secretPrinter: Printer<Secret> = {
  columns: [col('Type'), col('Data'), col('Age')],
  cells: (s, now) => [s.type ?? 'Opaque', Object.keys(s.data ?? {}).length, age(s.metadata.creationTimestamp, now)],
};

export const leasePrinter: Printer<Lease> = {
  columns: [col('Holder'), col('Age')],
  cells: (l, now) => [l.spec.holderIdentity ?? '', age(l.metadata.creationTimestamp, now)],
};
