// Validation of a custom resource against its version's openAPIV3Schema (kube-openapi's validate package, as
// apiextensions-apiserver's ValidateCustomResource reports it): types, enums, bounds, lengths, patterns, item
// counts and required fields, each a field error with Kubernetes' wording:
//   spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"
import type { JSONSchemaProps } from '../../../shared/api/apiextensions';
import type { StatusCause } from '../../../shared/api/meta';
import { fieldError } from '../../../shared/errors';

/** How the OpenAPI validator names a JSON value's type. */
function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v; // string, boolean, object
}

function typeMatches(v: unknown, type: string): boolean {
  const actual = jsonType(v);
  return actual === type || (type === 'number' && actual === 'integer');
}

const inBody = (path: string) => `${path || '<root>'} in body`;

const invalid = (path: string, value: unknown, detail: string): StatusCause => fieldError.invalid(path, value, detail);

/** The errors of `value` at `path` (`spec.replicas`), '' being the object itself. */
export function validateValue(value: unknown, s: JSONSchemaProps, path = '', root = true): StatusCause[] {
  const errors: StatusCause[] = [];
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (value === null) {
    if (!s.nullable && s.type && !s['x-kubernetes-preserve-unknown-fields'])
      errors.push(invalid(path, 'null', `${inBody(path)} must be of type ${s.type}: "null"`));
    return errors;
  }
  if (s['x-kubernetes-int-or-string']) {
    if (!(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))))
      errors.push(invalid(path, jsonType(value), `${inBody(path)} must be of type integer or string: "${jsonType(value)}"`));
    return errors;
  }
  if (s.type && !typeMatches(value, s.type)) {
    errors.push(invalid(path, jsonType(value), `${inBody(path)} must be of type ${s.type}: "${jsonType(value)}"`));
    return errors;
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    errors.push(
      fieldError.notSupported(
        path,
        value,
        s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))),
      ),
    );
  if (typeof value === 'number') {
    if (s.maximum !== undefined && (s.exclusiveMaximum ? value >= s.maximum : value > s.maximum))
      errors.push(invalid(path, value, `${inBody(path)} should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
    if (s.minimum !== undefined && (s.exclusiveMinimum ? value <= s.minimum : value < s.minimum))
      errors.push(invalid(path, value, `${inBody(path)} should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
    if (s.multipleOf !== undefined && s.multipleOf > 0 && !Number.isInteger(value / s.multipleOf))
      errors.push(invalid(path, value, `${inBody(path)} should be a multiple of ${s.multipleOf}`));
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (s.maxLength !== undefined && length > s.maxLength) errors.push(fieldError.tooLong(path, s.maxLength));
    if (s.minLength !== undefined && length < s.minLength)
      errors.push(invalid(path, value, `${inBody(path)} should be at least ${s.minLength} chars long`));
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value))
      errors.push(invalid(path, value, `${inBody(path)} should match '${s.pattern}'`));
  }
  if (Array.isArray(value)) {
    if (s.maxItems !== undefined && value.length > s.maxItems)
      errors.push({
        reason: 'FieldValueTooMany',
        field: path,
        message: `Too many: ${value.length}: must have at most ${s.maxItems} items`,
      });
    if (s.minItems !== undefined && value.length < s.minItems)
      errors.push(invalid(path, value.length, `${inBody(path)} should have at least ${s.minItems} items`));
    if (s.uniqueItems || s['x-kubernetes-list-type'] === 'set') {
      const seen = new Set<string>();
      value.forEach((item, i) => {
        const key = JSON.stringify(item);
        if (seen.has(key)) errors.push(fieldError.duplicate(`${path}[${i}]`, item));
        seen.add(key);
      });
    }
    if (s.items) value.forEach((item, i) => errors.push(...validateValue(item, s.items!, `${path}[${i}]`, false)));
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (s.maxProperties !== undefined && keys.length > s.maxProperties)
      errors.push({
        reason: 'FieldValueTooMany',
        field: path,
        message: `Too many: ${keys.length}: must have at most ${s.maxProperties} items`,
      });
    if (s.minProperties !== undefined && keys.length < s.minProperties)
      errors.push(invalid(path, keys.length, `${inBody(path)} should have at least ${s.minProperties} properties`));
    for (const name of s.required ?? []) if (obj[name] === undefined) errors.push(fieldError.required(at(name)));
    for (const key of keys) {
      if (root && (key === 'metadata' || key === 'apiVersion' || key === 'kind')) continue;
      const property = s.properties?.[key] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (property) errors.push(...validateValue(obj[key], property, at(key), property['x-kubernetes-embedded-resource'] === true));
    }
    if (root && !path) {
      // nothing: the root's apiVersion, kind and metadata are the apiserver's to check
    } else if (root) errors.push(...embeddedResourceErrors(obj, path));
  }
  return errors;
}

/** An x-kubernetes-embedded-resource holds an object: it must say what it is. */
function embeddedResourceErrors(obj: Record<string, unknown>, path: string): StatusCause[] {
  const errors: StatusCause[] = [];
  if (!obj.apiVersion) errors.push(fieldError.required(`${path}.apiVersion`, 'must not be empty'));
  if (!obj.kind) errors.push(fieldError.required(`${path}.kind`, 'must not be empty'));
  return errors;
}
