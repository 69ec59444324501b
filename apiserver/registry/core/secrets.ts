// Secrets: like ConfigMaps, base64 in `data`; `stringData` is folded into `data` by defaulting. Printed as
// NAME TYPE DATA AGE.
import type { Secret } from '../../../shared/api/core';
import { defaultSecret } from '../../../shared/api/defaults/core';
import { Secrets } from '../../../shared/api/resources';
import { validateSecret } from '../../../shared/api/validation/core';
import { age } from '../../printers/age';
import { col } from '../../printers/table';
import type { Strategy } from '../strategy';

export const secretStrategy: Strategy<Secret> = {
  resource: Secrets,
  defaults: defaultSecret,
  validate: validateSecret,
  printer: {
    columns: [col('Type'), col('Data'), col('Age')],
    cells: (s, now) => [s.type ?? 'Opaque', Object.keys(s.data ?? {}).length, age(s.metadata.creationTimestamp, now)],
  },
};
