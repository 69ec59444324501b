// Ports and addresses, shared by the validation of pods, services, endpoints and endpoint slices.
import type { StatusCause } from '../meta';
import { fieldError } from '../../errors';
import { ipFamily, specialIPReason } from '../../nonspecialip';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export function portErrors(field: string, port: number | undefined): StatusCause[] {
  if (port === undefined) return [fieldError.required(field)];
  return port >= 1 && port <= 65535 ? [] : [fieldError.invalid(field, port, 'must be between 1 and 65535, inclusive')];
}

/** An IP that may be dialled as a workload: valid, and not unspecified, loopback or link-local. */
export function nonSpecialIPErrors(field: string, ip: string): StatusCause[] {
  if (!ipFamily(ip)) return [fieldError.invalid(field, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
  const reason = specialIPReason(ip);
  return reason ? [fieldError.invalid(field, ip, reason)] : [];
}
