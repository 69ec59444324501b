// The query parameters of resource requests, typed.
import type { DeleteOptions, StatusCause } from '../../shared/api/meta';
import type { FieldValidation } from '../../shared/api/decode';
import { badRequest, fieldError, invalid } from '../../shared/errors';
import type { ListOptions } from '../registry/store';

export type Query = Record<string, string | string[] | undefined>;

export function one(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
}

export function flag(q: Query, name: string): boolean {
  const v = one(q, name);
  return v === 'true' || v === '1';
}

export function intParam(q: Query, name: string): number | undefined {
  const v = one(q, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid value for ${name}: ${JSON.stringify(v)}`);
  return n;
}

/** The options kind of each write, as its errors name it (`CreateOptions.meta.k8s.io "" is invalid: ...`). */
export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions';

const optionsInvalid = (kind: OptionsKind, causes: StatusCause[]) => invalid(kind, '', causes, 'meta.k8s.io');

/** Go's `%#v` of a []string, as field errors print a value that is not a string or a number. */
const goStrings = (values: string[]) => `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;

/**
 * `?dryRun=All` (for a delete also its body's `dryRun`): validate, default and admit, but store nothing.
 * Any other value is refused, as ValidateDryRun does.
 */
export function isDryRun(q: Query, kind: OptionsKind, body?: { dryRun?: unknown }): boolean {
  const v = q.dryRun;
  const fromBody = Array.isArray(body?.dryRun) ? body.dryRun.map(String) : [];
  const values = v === undefined ? fromBody : Array.isArray(v) ? v : [v];
  if (values.some((d) => d !== 'All')) {
    const message = `Unsupported value: ${goStrings(values)}: supported values: "All"`;
    throw optionsInvalid(kind, [{ reason: 'FieldValueNotSupported', field: 'dryRun', message }]);
  }
  return values.length > 0;
}

/** DeleteOptions from the body, overridden by query parameters. */
export function deleteOptions(q: Query, body: unknown): DeleteOptions {
  const opts: DeleteOptions = body && typeof body === 'object' && !Array.isArray(body) ? { ...(body as DeleteOptions) } : {};
  const grace = intParam(q, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = one(q, 'propagationPolicy');
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw badRequest(
      `propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  if (one(q, 'orphanDependents') !== undefined) opts.orphanDependents = flag(q, 'orphanDependents');
  return opts;
}

/** A list's limit, continue and resourceVersion(Match), checked as Kubernetes' ValidateListOptions checks them. */
export function listOptions(q: Query): ListOptions {
  const limit = intParam(q, 'limit');
  const token = one(q, 'continue') || undefined;
  const resourceVersion = one(q, 'resourceVersion') || undefined;
  const match = one(q, 'resourceVersionMatch') || undefined;
  if (match) {
    const field = 'resourceVersionMatch';
    const causes = [
      ...(resourceVersion ? [] : [fieldError.forbidden(field, 'resourceVersionMatch is forbidden unless resourceVersion is provided')]),
      ...(token ? [fieldError.forbidden(field, 'resourceVersionMatch is forbidden when continue is provided')] : []),
      ...(match === 'Exact' || match === 'NotOlderThan' ? [] : [fieldError.notSupported(field, match, ['Exact', 'NotOlderThan', ''])]),
      ...(match === 'Exact' && resourceVersion === '0'
        ? [fieldError.forbidden(field, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"')]
        : []),
    ];
    if (causes.length) throw invalid('ListOptions', '', causes, 'meta.k8s.io');
  }
  return { limit, continue: token, resourceVersion, resourceVersionMatch: match as ListOptions['resourceVersionMatch'] };
}

const FIELD_VALIDATIONS: FieldValidation[] = ['Ignore', 'Strict', 'Warn'];

/**
 * `?fieldValidation=Strict|Warn|Ignore`: what to do with unknown fields. Warn when absent, as Kubernetes.
 * `options` names the kind of options the request carries (CreateOptions, UpdateOptions, PatchOptions).
 */
export function fieldValidation(q: Query, options: string): FieldValidation {
  const v = one(q, 'fieldValidation');
  if (v === undefined || v === '') return 'Warn';
  if (!FIELD_VALIDATIONS.includes(v as FieldValidation)) {
    throw invalid(options, '', [fieldError.notSupported('fieldValidation', v, FIELD_VALIDATIONS)], 'meta.k8s.io');
  }
  return v as FieldValidation;
}

/** How long a field manager's name may be, in bytes (FieldManagerMaxLength). */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/**
 * Who a write is recorded for in managedFields (managerOrUserAgent): `?fieldManager=`, else the user agent
 * up to its first `/` (`kubectl.1.33/v1.33.1 (linux/amd64) ...` is `kubectl.1.33`), printable characters only,
 * at most 128 bytes. A server-side apply must name its manager; `force` belongs to apply alone.
 */
export function fieldManagerOf(q: Query, kind: OptionsKind, userAgent: string | undefined, apply = false): string {
  const given = one(q, 'fieldManager') ?? '';
  const causes: StatusCause[] = [];
  if (kind === 'PatchOptions' && !apply && one(q, 'force') !== undefined)
    causes.push(fieldError.forbidden('force', 'may not be specified for non-apply patch'));
  if (apply && given === '') causes.push(fieldError.required('fieldManager', 'is required for apply patch'));
  if (Buffer.byteLength(given) > FIELD_MANAGER_MAX_LENGTH) causes.push(fieldError.tooLong('fieldManager', FIELD_MANAGER_MAX_LENGTH));
  if (causes.length) throw optionsInvalid(kind, causes);
  if (given) return given;
  let prefix = '';
  for (const ch of (userAgent ?? '').split('/')[0]) {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) continue; // Go's unicode.IsPrint
    if (Buffer.byteLength(prefix + ch) > FIELD_MANAGER_MAX_LENGTH) break;
    prefix += ch;
  }
  return prefix;
}
