// Structural pruning (apiextensions-apiserver's pkg/apiserver/schema/pruning): a field the schema does not
// specify is dropped before the object is stored, unless the schema preserves unknown fields there. The
// root's apiVersion, kind and metadata, and those of an x-kubernetes-embedded-resource, are always kept.
// Returns the paths of the fields dropped (`spec.replicaz`), which fieldValidation reports.
import type { JSONSchemaProps } from '../../../shared/api/apiextensions';

const EMBEDDED = ['apiVersion', 'kind', 'metadata'];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function prune(value: unknown, schema: JSONSchemaProps, root = true): string[] {
  const pruned: string[] = [];
  walk(value, schema, '', root, pruned);
  return pruned;
}

function walk(value: unknown, s: JSONSchemaProps, path: string, embedded: boolean, pruned: string[]): void {
  if (s['x-kubernetes-int-or-string']) return;
  if (Array.isArray(value)) {
    if (s.items)
      value.forEach((item, i) => walk(item, s.items!, `${path}[${i}]`, s.items!['x-kubernetes-embedded-resource'] === true, pruned));
    return;
  }
  if (!isObject(value)) return;
  const child = (key: string) => (path ? `${path}.${key}` : key);
  if (typeof s.additionalProperties === 'object') {
    for (const key of Object.keys(value)) walk(value[key], s.additionalProperties, child(key), false, pruned);
    return;
  }
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true || s.additionalProperties === true;
  for (const key of Object.keys(value)) {
    if (embedded && EMBEDDED.includes(key)) {
      // metadata keeps its own fields (ObjectMeta), whatever the schema says about name and generateName.
      continue;
    }
    const property = s.properties?.[key];
    if (property) walk(value[key], property, child(key), property['x-kubernetes-embedded-resource'] === true, pruned);
    else if (!preserve) {
      pruned.push(child(key));
      delete value[key];
    }
  }
}
