// Columns of the smaller kinds: Namespace, Event, ConfigMap, Secret, Lease, and the RBAC kinds.
import type { ConfigMap, Event, Namespace, Secret } from '../../shared/api/core';
import type { Lease } from '../../shared/api/coordination';
import type { Role, RoleBinding } from '../../shared/api/rbac';
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
    return [
      age(last ?? undefined, now),
      ev.type ?? 'Normal',
      ev.reason ?? '',
      `${(o.kind ?? '').toLowerCase()}/${o.name}`,
      ev.message ?? '',
    ];
  },
};

export const configMapPrinter: Printer<ConfigMap> = {
  columns: [col('Data'), col('Age')],
  cells: (cm, now) => [
    Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
    age(cm.metadata.creationTimestamp, now),
  ],
};

export const secretPrinter: Printer<Secret> = {
  columns: [col('Type'), col('Data'), col('Age')],
  cells: (s, now) => [s.type ?? 'Opaque', Object.keys(s.data ?? {}).length, age(s.metadata.creationTimestamp, now)],
};

export const leasePrinter: Printer<Lease> = {
  columns: [col('Holder'), col('Age')],
  cells: (l, now) => [l.spec.holderIdentity ?? '', age(l.metadata.creationTimestamp, now)],
};

export const rolePrinter: Printer<Role> = {
  columns: [col('Created At', 0, 'date')],
  cells: (r) => [r.metadata.creationTimestamp ?? ''],
};

/** `kubectl get rolebindings`: the role; with -o wide also the users, groups and service accounts. */
export const roleBindingPrinter: Printer<RoleBinding> = {
  columns: [col('Role'), col('Age'), col('Users', 1), col('Groups', 1), col('ServiceAccounts', 1)],
  cells(b, now) {
    const names = (kind: string) =>
      (b.subjects ?? [])
        .filter((s) => s.kind === kind)
        .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name))
        .join(', ');
    return [
      `${b.roleRef.kind}/${b.roleRef.name}`,
      age(b.metadata.creationTimestamp, now),
      names('User'),
      names('Group'),
      names('ServiceAccount'),
    ];
  },
};
