// ConfigMaps: configuration as keys that become file names in configMap volumes. Printed as NAME DATA AGE.
import type { ConfigMap } from '../../../shared/api/core';
import { ConfigMaps } from '../../../shared/api/resources';
import { validateConfigMap } from '../../../shared/api/validation/core';
import { age } from '../../printers/age';
import { col } from '../../printers/table';
import type { Strategy } from '../strategy';

export const configMapStrategy: Strategy<ConfigMap> = {
  resource: ConfigMaps,
  validate: validateConfigMap,
  printer: {
    columns: [col('Data'), col('Age')],
    cells: (cm, now) => [
      Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
      age(cm.metadata.creationTimestamp, now),
    ],
  },
};
