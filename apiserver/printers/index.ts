// Server-side printing: turns objects into the Table kubectl asks for with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
import type { KubeObject, ListMeta } from '../../shared/api/meta';
import type { ResourceInfo } from '../../shared/api/resources';
import { age } from './age';
import { certificateSigningRequestPrinter } from './certificates';
import { configMapPrinter, eventPrinter, leasePrinter, namespacePrinter, roleBindingPrinter, rolePrinter, secretPrinter } from './misc';
import { nodePrinter } from './nodes';
import { podPrinter } from './pods';
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from './services';
import { col, IncludeObject, NAME_COLUMN, Printer, rowObject, Table } from './table';
import { deploymentPrinter, hpaPrinter, replicaSetPrinter } from './workloads';

export type { IncludeObject, Table } from './table';

const defaultPrinter: Printer = { columns: [col('Age')], cells: (obj, now) => [age(obj.metadata.creationTimestamp, now)] };

const PRINTERS: Record<string, Printer<never>> = {
  Pod: podPrinter,
  Node: nodePrinter,
  Service: servicePrinter,
  Endpoints: endpointsPrinter,
  EndpointSlice: endpointSlicePrinter,
  Deployment: deploymentPrinter,
  ReplicaSet: replicaSetPrinter,
  HorizontalPodAutoscaler: hpaPrinter,
  Namespace: namespacePrinter,
  Event: eventPrinter,
  ConfigMap: configMapPrinter,
  Secret: secretPrinter,
  Lease: leasePrinter,
  Role: rolePrinter,
  ClusterRole: rolePrinter,
  RoleBinding: roleBindingPrinter,
  ClusterRoleBinding: roleBindingPrinter,
  CertificateSigningRequest: certificateSigningRequestPrinter,
};

/** True when the Accept header asks for a meta.k8s.io Table. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => /;\s*as=Table/.test(part) && /g=meta\.k8s\.io/.test(part));
}

export function toTable(
  resource: ResourceInfo,
  objects: KubeObject[],
  opts: { includeObject?: IncludeObject; now?: Date; list?: ListMeta } = {},
): Table {
  const printer = (PRINTERS[resource.kind] ?? defaultPrinter) as Printer;
  const now = opts.now ?? new Date();
  const include = opts.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.list ?? {},
    columnDefinitions: [NAME_COLUMN, ...printer.columns],
    rows: objects.map((obj) => {
      const row: Table['rows'][number] = { cells: [obj.metadata.name ?? '', ...printer.cells(obj, now)] };
      const object = rowObject(obj, include);
      if (object !== undefined) row.object = object;
      return row;
    }),
  };
}
