// ServiceAccounts: the identities of processes in pods, `system:serviceaccount:<namespace>:<name>` to the
// authorizer. The service-account controller keeps a `default` one in every namespace. Printed as
// NAME SECRETS AGE.
import type { ServiceAccount } from '../../../shared/api/core';
import { ServiceAccounts } from '../../../shared/api/resources';
import { validateServiceAccount } from '../../../shared/api/validation/core';
import { age } from '../../printers/age';
import { col } from '../../printers/table';
import type { Strategy } from '../strategy';

export const serviceAccountStrategy: Strategy<ServiceAccount> = {
  resource: ServiceAccounts,
  validate: validateServiceAccount,
  printer: {
    columns: [col('Secrets'), col('Age')],
    cells: (sa, now) => [sa.secrets?.length ?? 0, age(sa.metadata.creationTimestamp, now)],
  },
};
