// PodDisruptionBudgets (policy/v1): created with the status that allows nothing (every count 0, as Go
// writes an empty status) until the disruption controller has counted the pods. The spec may change; it
// keeps a generation, and evictions wait until the controller has observed the latest one. Printed as
// NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE, N/A for the bound not set.
import { EMPTY_PDB_STATUS, PodDisruptionBudget } from '../../../shared/api/policy';
import { PodDisruptionBudgets } from '../../../shared/api/resources';
import { validatePodDisruptionBudget } from '../../../shared/api/validation/policy';
import { age } from '../../printers/age';
import { col, Printer } from '../../printers/table';
import { specChanged, Strategy } from '../strategy';

const podDisruptionBudgetPrinter: Printer<PodDisruptionBudget> = {
  columns: [col('Min Available'), col('Max Unavailable'), col('Allowed Disruptions', 0, 'integer'), col('Age')],
  cells: (pdb, now) => [
    pdb.spec.minAvailable === undefined ? 'N/A' : String(pdb.spec.minAvailable),
    pdb.spec.maxUnavailable === undefined ? 'N/A' : String(pdb.spec.maxUnavailable),
    pdb.status?.disruptionsAllowed ?? 0,
    age(pdb.metadata.creationTimestamp, now),
  ],
};

export const podDisruptionBudgetStrategy: Strategy<PodDisruptionBudget> = {
  resource: PodDisruptionBudgets,
  validate: validatePodDisruptionBudget,
  printer: podDisruptionBudgetPrinter,
  generationChanged: specChanged,
  prepareForCreate(pdb) {
    pdb.status = { ...EMPTY_PDB_STATUS };
  },
};
