// discovery.k8s.io/v1 validation: EndpointSlices.
import type { EndpointSlice } from '../discovery';
import type { StatusCause } from '../meta';
import { fieldError } from '../../errors';
import { ipFamily } from '../../nonspecialip';
import { endpointPortErrors } from './core';
import { append, dns1123SubdomainErrors, objectMetaErrors } from './meta';
import { nonSpecialIPErrors } from './network';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

export function validateEndpointSlice(slice: EndpointSlice, old?: EndpointSlice): StatusCause[] {
  const errors = objectMetaErrors(slice.metadata);
  const type = slice.addressType;
  if (!ADDRESS_TYPES.includes(type)) errors.push(fieldError.notSupported('addressType', type, ADDRESS_TYPES));
  if (old && old.addressType !== type) errors.push(fieldError.invalid('addressType', type, 'field is immutable'));
  (slice.endpoints ?? []).forEach((e, i) => {
    const path = `endpoints[${i}].addresses`;
    if (!e.addresses.length) errors.push(fieldError.required(path, 'must contain at least 1 address'));
    e.addresses.forEach((address, j) => {
      const field = `${path}[${j}]`;
      if (type === 'FQDN') append(errors, dns1123SubdomainErrors(field, address));
      else if (type === 'IPv4' || type === 'IPv6') {
        if (ipFamily(address) !== (type === 'IPv4' ? 4 : 6))
          errors.push(fieldError.invalid(field, address, `must be a valid ${type} address`));
        else append(errors, nonSpecialIPErrors(field, address));
      }
    });
  });
  const names = new Set<string>();
  (slice.ports ?? []).forEach((p, i) => {
    const name = p.name ?? '';
    if (names.has(name)) errors.push(fieldError.duplicate(`ports[${i}].name`, name));
    names.add(name);
    append(errors, endpointPortErrors(`ports[${i}]`, p, false));
  });
  return errors;
}
