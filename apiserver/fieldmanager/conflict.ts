// An apply that would change fields other managers own: the 409 Kubernetes answers (fieldmanager's
// NewConflictError), one cause of type FieldManagerConflict per field, and a message kubectl prints as is:
//   Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas
import { StatusError, statusFailure } from '../../shared/errors';
import { Path, pathString } from './fieldpath';
import type { ManagedFieldsEntry } from './managedfields';

export interface Conflict {
  /** The manager's identifier (managerIdentifier). */
  manager: string;
  path: Path;
}

/** A manager as conflicts name it: `"kubectl"`, `"kube-controller-manager" with subresource "status" using apps/v1`. */
export function printManager(identifier: string): string {
  let entry: ManagedFieldsEntry;
  try {
    entry = JSON.parse(identifier) as ManagedFieldsEntry;
  } catch {
    return JSON.stringify(identifier);
  }
  let out = JSON.stringify(entry.manager ?? '');
  if (entry.subresource) out += ` with subresource ${JSON.stringify(entry.subresource)}`;
  if (entry.operation === 'Update') out += ` using ${entry.apiVersion ?? ''}`;
  return out;
}

export function conflictMessage(conflicts: Conflict[]): string {
  if (conflicts.length === 1) {
    const [c] = conflicts;
    return `Apply failed with 1 conflict: conflict with ${printManager(c.manager)}: ${pathString(c.path)}`;
  }
  const byManager = new Map<string, Path[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
  const lines: string[] = [];
  for (const manager of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${printManager(manager)}:`);
    for (const p of byManager.get(manager)!) lines.push(`- ${pathString(p)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

export function conflictError(conflicts: Conflict[]): StatusError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  return new StatusError(statusFailure(409, 'Conflict', conflictMessage(conflicts), { causes }));
}
