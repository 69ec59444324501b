// Endpoints: the addresses behind a Service, written by the endpoints controller. Printed as NAME ENDPOINTS AGE.
import type { Endpoints } from '../../../shared/api/core';
import { defaultEndpoints } from '../../../shared/api/defaults/core';
import { EndpointsResource } from '../../../shared/api/resources';
import { validateEndpoints } from '../../../shared/api/validation/core';
import { age } from '../../printers/age';
import { col } from '../../printers/table';
import type { Strategy } from '../strategy';

/** `10.244.1.2:80,10.244.2.3:80 + 1 more...`, as kubectl shows at most three endpoints. */
export function formatEndpoints(ep: Endpoints): string {
  const all: string[] = [];
  for (const subset of ep.subsets ?? []) {
    for (const a of subset.addresses ?? []) {
      if (subset.ports?.length) for (const p of subset.ports) all.push(`${a.ip}:${p.port}`);
      else all.push(a.ip);
    }
  }
  if (!all.length) return '<none>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

export const endpointsStrategy: Strategy<Endpoints> = {
  resource: EndpointsResource,
  defaults: defaultEndpoints,
  validate: validateEndpoints,
  printer: {
    columns: [col('Endpoints'), col('Age')],
    cells: (ep, now) => [formatEndpoints(ep), age(ep.metadata.creationTimestamp, now)],
  },
};
