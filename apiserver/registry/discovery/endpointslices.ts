// EndpointSlices: the endpoints controller's other output, as kube-proxy and `kubectl describe svc` read it.
// Upstream's strategy bumps the generation on any change but metadata, and on label changes.
import type { EndpointSlice } from '../../../shared/api/discovery';
import { defaultEndpointSlice } from '../../../shared/api/defaults/discovery';
import { EndpointSlices } from '../../../shared/api/resources';
import { validateEndpointSlice } from '../../../shared/api/validation/discovery';
import { semanticallyEqual } from '../../../shared/equality';
import { age } from '../../printers/age';
import { col } from '../../printers/table';
import type { Strategy } from '../strategy';

const content = ({ metadata, apiVersion: _a, kind: _k, ...rest }: EndpointSlice) => ({ ...rest, labels: metadata.labels });

export const endpointSliceStrategy: Strategy<EndpointSlice> = {
  resource: EndpointSlices,
  defaults: defaultEndpointSlice,
  validate: validateEndpointSlice,
  generationChanged: (slice, old) => !semanticallyEqual(content(slice), content(old)),
  printer: {
    columns: [col('AddressType'), col('Ports'), col('Endpoints'), col('Age')],
    cells(slice, now) {
      const ports = (slice.ports ?? []).map((p) => String(p.port ?? '')).join(',') || '<unset>';
      const addrs = slice.endpoints.flatMap((e) => e.addresses);
      const shown = addrs.length > 3 ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...` : addrs.join(',') || '<unset>';
      return [slice.addressType, ports, shown, age(slice.metadata.creationTimestamp, now)];
    },
  },
};
