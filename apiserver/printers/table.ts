// meta.k8s.io/v1 Table: what `kubectl get` prints. The server formats every cell; kubectl only lays out
// the columns (priority 0 always, priority 1 with `-o wide`).
import type { KubeObject, ListMeta } from '../../shared/api/meta';

export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  priority?: number;
}

export interface TableRow {
  cells: (string | number | boolean)[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** A kind's printer: its columns (after NAME) and a function computing a row's cells (after the name). */
export interface Printer<T extends KubeObject = KubeObject> {
  columns: TableColumnDefinition[];
  cells(obj: T, now: Date): (string | number | boolean)[];
  /** The NAME cell, when it says more than the name (`standard (default)` for the default StorageClass). */
  name?(obj: T): string;
}

export const col = (name: string, priority = 0, type: TableColumnDefinition['type'] = 'string'): TableColumnDefinition => ({
  name,
  type,
  priority,
});

export const NAME_COLUMN: TableColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
};

export function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}
