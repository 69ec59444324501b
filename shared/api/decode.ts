// The apiserver's edge for object content: decodeObject checks an incoming object against its kind's schema
// (./openapi) before defaulting (./defaults/) and validation (./validation/) see it.
import type { KubeObject } from './meta';
import { apiVersionOf, ResourceInfo } from './resources';
import { decodeWithSchema, definitionName, DEFINITIONS } from './openapi';
import { badRequest, fieldError, invalid, StatusError } from '../errors';

/** How deep arrays and objects may nest in a request: far beyond any manifest, well within the stack of recursive code. */
export const MAX_NESTING_DEPTH = 100;

/** Throws 400 when `value` nests arrays and objects deeper than MAX_NESTING_DEPTH (walked without recursion). */
export function checkNestingDepth(value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  const stack: [object, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth >= MAX_NESTING_DEPTH)
      throw badRequest(`the body of the request nests objects or arrays more than ${MAX_NESTING_DEPTH} levels deep`);
    for (const key in v) {
      const child = (v as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
}

/** What the apiserver does with fields an object's schema does not know (`?fieldValidation=`); they never reach storage. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface DecodeOptions {
  /** Strict fails the request, Warn (Kubernetes' default) warns, Ignore drops unknown fields quietly. */
  fieldValidation?: FieldValidation;
  /** Receives each warning under Warn: `unknown field "spec.replicaz"`. */
  warn?: (warning: string) => void;
  /**
   * The error a Strict failure becomes, given the unknown fields' paths and the decoded object; by default
   * create's and update's 400: `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: ...`.
   */
  strictError?: (unknownFields: string[], obj: KubeObject) => StatusError;
}

/** `strict decoding error: unknown field "spec.replicaz", unknown field "spec.x"`, as Kubernetes joins them. */
export function strictDecodingError(unknownFields: string[]): string {
  return `strict decoding error: ${unknownFields.map((f) => `unknown field ${JSON.stringify(f)}`).join(', ')}`;
}

/**
 * Decodes an incoming object against its kind's schema (shared/api/openapi): JSON types, quantities and
 * required fields, unknown fields reported as `fieldValidation` says and pruned. Returns a copy. Throws 400 or 422.
 */
export function decodeObject(resource: ResourceInfo, body: unknown, options: DecodeOptions = {}): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(`the body of the request must be a JSON object describing a ${resource.kind}`);
  }
  checkNestingDepth(body);
  const obj = structuredClone(body) as Partial<KubeObject>;
  const want = apiVersionOf(resource);
  if (obj.kind !== undefined && obj.kind !== resource.kind) {
    throw badRequest(
      `${obj.kind} in version "${obj.apiVersion ?? ''}" cannot be handled as a ${resource.kind}: the kind in the data (${obj.kind}) does not match the expected kind (${resource.kind})`,
    );
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
  }
  const cannotHandle = (message: string) =>
    badRequest(`${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: ${message}`);
  const definition = definitionName(resource);
  if (DEFINITIONS[definition]) {
    const report = decodeWithSchema(DEFINITIONS, definition, obj as Record<string, unknown>);
    if (report.decodeError) throw cannotHandle(report.decodeError);
    const unknown = report.unknownFields;
    if (unknown.length && options.fieldValidation === 'Strict') {
      throw options.strictError?.(unknown, obj as KubeObject) ?? cannotHandle(strictDecodingError(unknown));
    }
    if (options.fieldValidation !== 'Ignore') for (const f of unknown) options.warn?.(`unknown field ${JSON.stringify(f)}`);
    if (report.missingFields.length) {
      throw invalid(
        resource.kind,
        obj.metadata?.name ?? '',
        report.missingFields.map((f) => fieldError.required(f)),
        resource.group || undefined,
      );
    }
  }
  if (obj.metadata === undefined) obj.metadata = {};
  return obj as KubeObject;
}
