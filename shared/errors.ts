// Every error that crosses the API is a Kubernetes Status. Servers throw StatusError; clients get one
// back from the REST client and test it with isNotFound/isConflict/...
import type { Status, StatusCause, StatusDetails } from './api/meta';

export class StatusError extends Error {
  readonly status: Status;

  constructor(status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.name = 'StatusError';
    this.status = status;
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): string | undefined {
    return this.status.reason;
  }
}

export function statusFailure(code: number, reason: string, message: string, details?: StatusDetails): Status {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  return status;
}

export function statusSuccess(details?: StatusDetails): Status {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details) status.details = details;
  return status;
}

function fail(code: number, reason: string, message: string, details?: StatusDetails): StatusError {
  return new StatusError(statusFailure(code, reason, message, details));
}

// `resource` is the group resource as Kubernetes prints it: `pods`, `deployments.apps`.
function splitGroupResource(resource: string): { kind: string; group?: string } {
  const dot = resource.indexOf('.');
  return dot < 0 ? { kind: resource } : { kind: resource.slice(0, dot), group: resource.slice(dot + 1) };
}

export function notFound(resource: string, name: string): StatusError {
  return fail(404, 'NotFound', `${resource} "${name}" not found`, { name, ...splitGroupResource(resource) });
}

export function alreadyExists(resource: string, name: string): StatusError {
  return fail(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, ...splitGroupResource(resource) });
}

export function conflict(
  resource: string,
  name: string,
  why = 'the object has been modified; please apply your changes to the latest version and try again',
): StatusError {
  return fail(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, { name, ...splitGroupResource(resource) });
}

/** 422: `Pod "x" is invalid: spec.containers[0].image: Required value`. `kind` is the Kind (`Pod`). */
export function invalid(kind: string, name: string, causes: StatusCause[], group?: string): StatusError {
  const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : `${c.message}`));
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  const details: StatusDetails = { name, kind, causes };
  if (group) details.group = group;
  // The message names the qualified kind (`Deployment.apps`), details.kind the kind alone, as apierrors.NewInvalid does.
  return fail(422, 'Invalid', `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${summary}`, details);
}

/** A field error, worded as Kubernetes' field.ErrorList does. */
export const fieldError = {
  required: (field: string, detail?: string): StatusCause => ({
    reason: 'FieldValueRequired',
    field,
    message: detail ? `Required value: ${detail}` : 'Required value',
  }),
  invalid: (field: string, value: unknown, detail: string): StatusCause => ({
    reason: 'FieldValueInvalid',
    field,
    message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
  }),
  notSupported: (field: string, value: unknown, supported: string[]): StatusCause => ({
    reason: 'FieldValueNotSupported',
    field,
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
  }),
  duplicate: (field: string, value: unknown): StatusCause => ({
    reason: 'FieldValueDuplicate',
    field,
    message: `Duplicate value: ${JSON.stringify(value)}`,
  }),
  forbidden: (field: string, detail: string): StatusCause => ({ reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` }),
  tooLong: (field: string, maxBytes: number): StatusCause => ({
    reason: 'FieldValueTooLong',
    field,
    message: `Too long: must have at most ${maxBytes} bytes`,
  }),
};

export function badRequest(message: string): StatusError {
  return fail(400, 'BadRequest', message);
}

export function forbidden(message: string, details?: StatusDetails): StatusError {
  return fail(403, 'Forbidden', message, details);
}

export function methodNotSupported(resource: string, verb: string): StatusError {
  return fail(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${resource}"`);
}

/** 410 Gone with reason Expired: the requested resourceVersion has been compacted away. */
export function gone(message: string): StatusError {
  return fail(410, 'Expired', message);
}

export function requestEntityTooLarge(message = 'Request entity too large: limit is 3145728'): StatusError {
  return fail(413, 'RequestEntityTooLarge', message);
}

/** 415; `why` replaces the default `got "<type>"` when the media type is known but its content is not. */
export function unsupportedMediaType(contentType: string, why = `got "${contentType}"`): StatusError {
  return fail(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (${why})`,
  );
}

/** 503: the server cannot answer now (its storage is unreachable). */
export function serviceUnavailable(message: string): StatusError {
  return fail(503, 'ServiceUnavailable', message);
}

export function internalError(message: string): StatusError {
  return fail(500, 'InternalError', `Internal error occurred: ${message}`);
}

function reasonOf(err: unknown): string | undefined {
  return err instanceof StatusError ? err.status.reason : undefined;
}

export const isNotFound = (err: unknown): boolean => reasonOf(err) === 'NotFound';
export const isAlreadyExists = (err: unknown): boolean => reasonOf(err) === 'AlreadyExists';
export const isConflict = (err: unknown): boolean => reasonOf(err) === 'Conflict';
export const isForbidden = (err: unknown): boolean => reasonOf(err) === 'Forbidden';
export const isGone = (err: unknown): boolean => err instanceof StatusError && err.status.code === 410;

/** Turns anything thrown into a Status: StatusErrors as they are, anything else as a 500. */
export function toStatus(err: unknown): Status {
  if (err instanceof StatusError) return err.status;
  const message = err instanceof Error ? err.message : String(err);
  return internalError(message).status;
}
