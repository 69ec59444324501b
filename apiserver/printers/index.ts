// Server-side printing: turns objects into the Table kubectl asks for with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
import type { KubeObject, ListMeta } from '../../shared/api/meta';
import { IncludeObject, NAME_COLUMN, Printer, rowObject, Table } from './table';

export type { IncludeObject, Table } from './table';

/** True when the Accept header asks for a meta.k8s.io Table. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => /;\s*as=Table/.test(part) && /g=meta\.k8s\.io/.test(part));
}

/** The Table of `objects` with a kind's printer (each kind's Strategy names its printer). */
export function toTable(
  printer: Printer,
  objects: KubeObject[],
  opts: { includeObject?: IncludeObject; now?: Date; list?: ListMeta } = {},
): Table {
  const now = opts.now ?? new Date();
  const include = opts.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.list ?? {},
    columnDefinitions: [NAME_COLUMN, ...printer.columns],
    rows: objects.map((obj) => {
      const row: Table['rows'][number] = { cells: [printer.name?.(obj) ?? obj.metadata.name ?? '', ...printer.cells(obj, now)] };
      const object = rowObject(obj, include);
      if (object !== undefined) row.object = object;
      return row;
    }),
  };
}
