// Validation of CertificateSigningRequests (certificates.k8s.io/v1), with Kubernetes' field paths and
// wording: a parseable PKCS#10 request, a signer, known usages, conditions that make sense (Approved
// and Denied exclude each other and, once there, stay), a certificate that, once issued, does not change.
import type { CertificateSigningRequest } from '../certificates';
import type { StatusCause } from '../meta';
import { fieldError } from '../../errors';
import { parseCertificateRequest } from '../../pki';
import { objectMetaErrors } from './meta';

export const KNOWN_USAGES = [
  'signing',
  'digital signature',
  'content commitment',
  'key encipherment',
  'key agreement',
  'data encipherment',
  'cert sign',
  'crl sign',
  'encipher only',
  'decipher only',
  'any',
  'server auth',
  'client auth',
  'code signing',
  'email protection',
  's/mime',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'timestamping',
  'ocsp signing',
  'microsoft sgc',
  'netscape sgc',
];
const SIGNER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+\/[-A-Za-z0-9_.~/]+$/;
const CONDITION_TYPES_ONCE = ['Approved', 'Denied', 'Failed'];

function conditionErrors(csr: CertificateSigningRequest, old?: CertificateSigningRequest): StatusCause[] {
  const errors: StatusCause[] = [];
  const conditions = csr.status?.conditions ?? [];
  const seen = new Set<string>();
  conditions.forEach((c, i) => {
    const f = `status.conditions[${i}]`;
    if (!c.type) errors.push(fieldError.required(`${f}.type`));
    if (CONDITION_TYPES_ONCE.includes(c.type)) {
      if (seen.has(c.type)) errors.push(fieldError.duplicate(`${f}.type`, c.type));
      if (c.status !== 'True') errors.push(fieldError.notSupported(`${f}.status`, c.status, ['True']));
    } else if (!['True', 'False', 'Unknown'].includes(c.status)) {
      errors.push(fieldError.notSupported(`${f}.status`, c.status, ['False', 'True', 'Unknown']));
    }
    if ((c.type === 'Approved' && seen.has('Denied')) || (c.type === 'Denied' && seen.has('Approved')))
      errors.push(fieldError.invalid(`${f}.type`, c.type, 'Approved and Denied conditions are mutually exclusive'));
    seen.add(c.type);
  });
  for (const type of ['Approved', 'Denied']) {
    if (old?.status?.conditions?.some((c) => c.type === type) && !seen.has(type))
      errors.push(fieldError.forbidden('status.conditions', `updates may not remove a condition of type "${type}"`));
  }
  return errors;
}

function certificateErrors(csr: CertificateSigningRequest, old?: CertificateSigningRequest): StatusCause[] {
  const cert = csr.status?.certificate;
  if (old?.status?.certificate && cert !== old.status.certificate)
    return [fieldError.invalid('status.certificate', '', 'updates may not modify existing certificate content')];
  if (!cert) return [];
  const pem = Buffer.from(cert, 'base64').toString('utf8');
  return /^-----BEGIN CERTIFICATE-----\r?\n[\s\S]+?-----END CERTIFICATE-----/.test(pem.trimStart())
    ? []
    : [fieldError.invalid('status.certificate', '<certificate data>', 'must contain at least one CERTIFICATE PEM block')];
}

/** ValidateCertificateSigningRequest (create and every update). */
export function validateCertificateSigningRequest(csr: CertificateSigningRequest, old?: CertificateSigningRequest): StatusCause[] {
  const errors = objectMetaErrors(csr.metadata);
  const spec = csr.spec;
  try {
    parseCertificateRequest(Buffer.from(spec.request ?? '', 'base64').toString('utf8'));
  } catch (err) {
    errors.push(fieldError.invalid('spec.request', '<request data>', (err as Error).message));
  }
  if (!spec.signerName) errors.push(fieldError.required('spec.signerName'));
  else if (!SIGNER_NAME.test(spec.signerName))
    errors.push(
      fieldError.invalid(
        'spec.signerName',
        spec.signerName,
        'should be a domain with at least two segments separated by dots, followed by a path',
      ),
    );
  if (spec.expirationSeconds !== undefined && spec.expirationSeconds !== null && spec.expirationSeconds < 600)
    errors.push(
      fieldError.invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'),
    );
  if (!spec.usages?.length) errors.push(fieldError.required('spec.usages', 'usages must be provided'));
  const usages = new Set<string>();
  (spec.usages ?? []).forEach((u, i) => {
    if (!KNOWN_USAGES.includes(u)) errors.push(fieldError.notSupported(`spec.usages[${i}]`, u, KNOWN_USAGES));
    if (usages.has(u)) errors.push(fieldError.duplicate(`spec.usages[${i}]`, u));
    usages.add(u);
  });
  return [...errors, ...conditionErrors(csr, old), ...certificateErrors(csr, old)];
}
