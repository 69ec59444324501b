// kubectl get's columns for a custom resource (apiextensions-apiserver's tableconvertor): NAME, then the
// version's additionalPrinterColumns, each a JSONPath into the object; a CRD without any prints AGE. A cell
// whose path finds nothing is null, which kubectl shows as <none>; a `date` column is an age (`5m`).
import type { CustomResourceColumnDefinition } from '../../shared/api/apiextensions';
import type { KubeObject } from '../../shared/api/meta';
import { humanDuration } from '../printers/age';
import type { Printer, TableColumnDefinition } from '../printers/table';
import { JSONPath } from './jsonpath';

const AGE: CustomResourceColumnDefinition = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

type Cell = string | number | boolean | null;

function cell(type: string, value: unknown): Cell {
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      const at = typeof value === 'string' ? Date.parse(value) : NaN;
      return Number.isNaN(at) ? null : at;
    }
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

export function customResourcePrinter(definitions: CustomResourceColumnDefinition[] | undefined): Printer {
  const columns = definitions?.length ? definitions : [AGE];
  const paths = columns.map((c) => {
    try {
      return new JSONPath(c.jsonPath);
    } catch {
      return undefined;
    }
  });
  return {
    columns: columns.map((c): TableColumnDefinition => ({
      name: c.name,
      type: c.type as TableColumnDefinition['type'],
      ...(c.format ? { format: c.format } : {}),
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
    cells: (obj: KubeObject, now: Date) =>
      columns.map((c, i) => {
        const found = paths[i]?.find(obj) ?? [];
        if (!found.length) return null;
        const value = cell(c.type, found[0]);
        if (c.type === 'date' && typeof value === 'number') return humanDuration(now.getTime() - value);
        return value;
      }) as (string | number)[],
  };
}
