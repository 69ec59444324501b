// metadata.managedFields, read and written as Kubernetes does (k8s.io/apiserver's fieldmanager/internal
// managedfields.go): one entry per manager, operation and subresource (an applier's entry also leaves out
// its apiVersion, so that it stays one entry whichever version it applies), sorted Apply before Update,
// then by time, manager, apiVersion and subresource.
import { FieldSet } from './fieldpath';
import type { Json } from '../patch/merge';

export type Operation = 'Apply' | 'Update';

/** What metadata.managedFields holds: one item per manager. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: Operation | string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, Json>;
  subresource?: string;
}

export interface Manager {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** Managers by identifier (BuildManagerIdentifier). */
export type Managed = Map<string, Manager>;

/** The identifier of a manager: its entry without fields and time (and without apiVersion for an applier), as JSON. */
export function managerIdentifier(m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: ManagedFieldsEntry = { manager: m.manager, operation: m.operation };
  if (m.operation === 'Update' && m.apiVersion) id.apiVersion = m.apiVersion;
  if (m.subresource) id.subresource = m.subresource;
  return JSON.stringify(id);
}

/** Reads managedFields; throws on an entry Kubernetes could not decode either. */
export function decodeManagedFields(entries: unknown): Managed {
  const managed: Managed = new Map();
  if (entries === undefined || entries === null) return managed;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  for (const raw of entries as ManagedFieldsEntry[]) {
    if (raw === null || typeof raw !== 'object') throw new Error('a managedFields entry must be an object');
    if (raw.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(raw.fieldsType ?? '')}`);
    if (raw.operation !== 'Apply' && raw.operation !== 'Update')
      throw new Error(`invalid operation ${JSON.stringify(raw.operation ?? '')}`);
    const m: Manager = {
      manager: raw.manager ?? '',
      operation: raw.operation,
      apiVersion: raw.apiVersion ?? '',
      set: FieldSet.fromFieldsV1(raw.fieldsV1 ?? {}),
    };
    if (raw.subresource) m.subresource = raw.subresource;
    if (raw.time) m.time = raw.time;
    managed.set(managerIdentifier(m), m);
  }
  return managed;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) : 0);

/** The entries to store, sorted as Kubernetes sorts them; managers that own nothing are left out. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] {
  const managers = [...managed.values()].filter((m) => !m.set.empty());
  managers.sort(
    (p, q) =>
      compare(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      compare(p.manager, q.manager) ||
      compare(p.apiVersion, q.apiVersion) ||
      compare(p.subresource ?? '', q.subresource ?? ''),
  );
  return managers.map((m) => {
    const entry: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) entry.time = m.time;
    entry.fieldsType = 'FieldsV1';
    entry.fieldsV1 = m.set.toFieldsV1();
    if (m.subresource) entry.subresource = m.subresource;
    return entry;
  });
}

/** `managedFields: [{}]` (or `[]`) in a write asks for the object's managed fields to be reset. */
export function isResetManagedFields(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && entries[0] !== null && typeof entries[0] === 'object' && Object.keys(entries[0] as object).length === 0;
}
