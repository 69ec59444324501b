// Structural defaulting (apiextensions-apiserver's pkg/apiserver/schema/defaulting): a missing field whose
// schema has a `default` gets a copy of it, and defaults apply inside what was defaulted. A null where the
// schema does not say `nullable` is dropped, or defaulted when the schema has a default. Runs on every write
// and on every read from storage, so a default added to a CRD shows in objects stored before.
import type { JSONSchemaProps } from '../../../shared/api/apiextensions';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function applyDefaults(value: unknown, s: JSONSchemaProps): void {
  if (Array.isArray(value)) {
    if (s.items) value.forEach((item) => applyDefaults(item, s.items!));
    return;
  }
  if (!isObject(value)) return;
  if (typeof s.additionalProperties === 'object') {
    for (const key of Object.keys(value)) applyDefaults(value[key], s.additionalProperties);
    return;
  }
  for (const [key, property] of Object.entries(s.properties ?? {})) {
    if (value[key] === null && !property.nullable) {
      if (property.default === undefined) delete value[key];
      else value[key] = structuredClone(property.default);
    } else if (value[key] === undefined && property.default !== undefined) {
      value[key] = structuredClone(property.default);
    }
    if (value[key] !== undefined) applyDefaults(value[key], property);
  }
}
