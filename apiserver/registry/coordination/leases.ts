// Leases: leader election and node heartbeats. Printed as NAME HOLDER AGE.
import type { Lease } from '../../../shared/api/coordination';
import { Leases } from '../../../shared/api/resources';
import { validateObjectMeta } from '../../../shared/api/validation/meta';
import { age } from '../../printers/age';
import { col } from '../../printers/table';
import type { Strategy } from '../strategy';

export const leaseStrategy: Strategy<Lease> = {
  resource: Leases,
  validate: validateObjectMeta,
  printer: {
    columns: [col('Holder'), col('Age')],
    cells: (l, now) => [l.spec.holderIdentity ?? '', age(l.metadata.creationTimestamp, now)],
  },
};
