// Decoding an object against its schema, as the apiserver's JSON decoder does for a built-in kind and
// structural pruning does for a custom resource. One walk over the value:
//   - a value of the wrong JSON type is reported as Go's encoding/json reports the first one:
//     `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`;
//   - a quantity that does not parse, with resource.Quantity's message;
//   - a field the schema does not know is an unknown field (`spec.template.spec.containers[0].imagee`) and is
//     removed, whatever the caller then does with the report (Strict fails, Warn warns, Ignore says nothing);
//   - a null field is removed, as Go's decoding and encoding again would (a null in a map or list becomes the
//     zero value of its type), and so is an empty map (`annotations: {}`: omitempty);
//   - a missing field with a default (a Go struct that is not a pointer: a Pod's spec) gets it;
//   - a required field that is missing is reported by its path.
// The value is changed in place.
import { quantityError } from '../../quantity';
import type { Definitions, Schema } from './model';

export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** Kubernetes' decoder stops collecting unknown and duplicate fields after this many. */
const MAX_STRICT_ERRORS = 100;

export interface DecodeReport {
  /** The first value of a wrong type (or unparsable quantity), worded as Kubernetes' decoder words it. */
  decodeError?: string;
  /** The paths of unknown fields, in the order met, at most MAX_STRICT_ERRORS. */
  unknownFields: string[];
  /** The paths of required fields that are missing. */
  missingFields: string[];
}

/** Where a value sits: its path with list indexes (`spec.containers[0].image`), and as Go's decoder names it. */
interface At {
  path: string;
  /** Go's field stack: struct field names only (`spec.containers.image`). */
  goPath: string;
  /** The Go struct holding the field (`Container`), '' at the top. */
  struct: string;
}

const field = (at: At, name: string, struct: string): At => ({
  path: at.path ? `${at.path}.${name}` : name,
  goPath: at.goPath ? `${at.goPath}.${name}` : name,
  struct,
});

/** How Go's decoder describes a JSON value it cannot store. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

const INT_RANGES: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

class Decoder {
  readonly report: DecodeReport = { unknownFields: [], missingFields: [] };

  constructor(private readonly definitions: Definitions) {}

  /** The schema a `$ref` names (a missing definition keeps whatever is there). */
  private resolve(s: Schema): Schema {
    let schema = s;
    for (let hops = 0; schema.$ref && hops < 10; hops++) {
      schema = this.definitions[schema.$ref] ?? { 'x-kubernetes-preserve-unknown-fields': true };
    }
    return schema;
  }

  /** The Go type a schema stands for, as Go prints it in decoding errors: `int32`, `[]v1.Container`. */
  private goType(s: Schema): string {
    if (s.$ref) {
      const parts = s.$ref.split('.');
      return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
    }
    switch (s.type) {
      case 'array':
        return `[]${s.items ? this.goType(s.items) : 'interface {}'}`;
      case 'object':
        return s.additionalProperties ? `map[string]${this.goType(s.additionalProperties)}` : 'map[string]interface {}';
      case 'integer':
        return s.format ?? 'int64';
      case 'number':
        return s.format === 'float' ? 'float32' : 'float64';
      case 'boolean':
        return 'bool';
      case 'string':
        return s.format === 'byte' ? '[]uint8' : 'string';
      default:
        return 'interface {}';
    }
  }

  private fail(message: string): void {
    this.report.decodeError ??= message;
  }

  private typeError(value: unknown, s: Schema, at: At, what = jsonKind(value)): void {
    const into = at.struct ? `Go struct field ${at.struct}.${at.goPath}` : 'Go value';
    this.fail(`json: cannot unmarshal ${what} into ${into} of type ${this.goType(s)}`);
  }

  private unknown(path: string): void {
    const list = this.report.unknownFields;
    if (list.length < MAX_STRICT_ERRORS && !list.includes(path)) list.push(path);
  }

  private zero(s: Schema): unknown {
    if (s.$ref === QUANTITY) return '0';
    if (s.$ref === INT_OR_STRING || s['x-kubernetes-int-or-string']) return 0;
    return zeroOf(this.resolve(s));
  }

  /** Checks `value` against `s`; returns what to keep (undefined: drop the field). */
  value(value: unknown, s: Schema, at: At): unknown {
    if (value === null || value === undefined) return undefined;
    if (s.$ref === QUANTITY) {
      const error = quantityError(typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value));
      if (error) this.fail(error);
      return value;
    }
    if (s.$ref === INT_OR_STRING || s['x-kubernetes-int-or-string']) {
      if (typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))) return value;
      this.fail(`json: cannot unmarshal ${typeof value === 'number' ? `number ${value}` : jsonKind(value)} into Go value of type int32`);
      return value;
    }
    const schema = this.resolve(s);
    if (schema.format === 'date-time' && schema.type === 'string') {
      if (typeof value !== 'string') this.fail(`json: cannot unmarshal ${jsonKind(value)} into Go value of type string`);
      return value;
    }
    switch (schema.type) {
      case 'object':
        return this.object(value, s, schema, at);
      case 'array':
        if (!Array.isArray(value)) return this.typeError(value, s, at);
        return value.map(
          (item, i) => this.value(item, schema.items ?? {}, { ...at, path: `${at.path}[${i}]` }) ?? this.zero(schema.items ?? {}),
        );
      case 'string':
        if (typeof value !== 'string') this.typeError(value, s, at);
        return value;
      case 'boolean':
        if (typeof value !== 'boolean') this.typeError(value, s, at);
        return value;
      case 'number':
        if (typeof value !== 'number') this.typeError(value, s, at);
        return value;
      case 'integer': {
        if (typeof value !== 'number') return this.typeError(value, s, at);
        const [min, max] = INT_RANGES[schema.format ?? 'int64'] ?? INT_RANGES.int64;
        if (!Number.isInteger(value) || value < min || value > max) this.typeError(value, s, at, `number ${value}`);
        return value;
      }
      default:
        return value; // no type: anything goes (a CRD's x-kubernetes-preserve-unknown-fields leaf)
    }
  }

  private object(value: unknown, s: Schema, schema: Schema, at: At): unknown {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return this.typeError(value, s, at);
    const obj = value as Record<string, unknown>;
    const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
    if (schema.additionalProperties) {
      const values = schema.additionalProperties;
      for (const key of Object.keys(obj)) {
        obj[key] = this.value(obj[key], values, { ...at, path: `${at.path}.${key}` }) ?? this.zero(values);
      }
      return obj;
    }
    if (!schema.properties) return preserve ? obj : prune(obj, at, this);
    const struct = s.$ref ? s.$ref.slice(s.$ref.lastIndexOf('.') + 1) : at.struct;
    for (const key of Object.keys(obj)) {
      const property = schema.properties[key];
      if (!property) {
        if (!preserve) {
          this.unknown(field(at, key, struct).path);
          delete obj[key];
        }
        continue;
      }
      const kept = this.value(obj[key], property, field(at, key, struct));
      // Go leaves an empty map out (omitempty), unless the field is one the JSON always carries.
      const omitted =
        kept !== null &&
        typeof kept === 'object' &&
        !Array.isArray(kept) &&
        Object.keys(kept).length === 0 &&
        this.resolve(property).additionalProperties !== undefined &&
        !schema.required?.includes(key);
      if (kept === undefined || omitted) delete obj[key];
      else obj[key] = kept;
    }
    for (const [name, property] of Object.entries(schema.properties)) {
      // A Go struct that is not a pointer is there even when the JSON leaves it out: check what it requires.
      if (obj[name] === undefined && property.default !== undefined) {
        obj[name] = this.value(structuredClone(property.default), property, field(at, name, struct));
      }
    }
    for (const name of schema.required ?? []) if (obj[name] === undefined) this.report.missingFields.push(field(at, name, struct).path);
    return obj;
  }
}

/** An object whose schema names no fields keeps none (a structural schema's rule). */
function prune(obj: Record<string, unknown>, at: At, decoder: { report: DecodeReport }): Record<string, unknown> {
  for (const key of Object.keys(obj)) {
    const path = at.path ? `${at.path}.${key}` : key;
    if (decoder.report.unknownFields.length < MAX_STRICT_ERRORS) decoder.report.unknownFields.push(path);
    delete obj[key];
  }
  return obj;
}

/** What Go leaves in a list item or map value that was null: the zero value of its type (a Quantity's is "0"). */
function zeroOf(s: Schema): unknown {
  switch (s.type) {
    case 'string':
      return '';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'object':
      return s.properties ? {} : null;
    default:
      return null;
  }
}

/** Decodes `value` (changed in place) as the definition `name`. */
export function decodeWithSchema(definitions: Definitions, name: string, value: Record<string, unknown>): DecodeReport {
  const decoder = new Decoder(definitions);
  decoder.value(value, { $ref: name }, { path: '', goPath: '', struct: '' });
  return decoder.report;
}
