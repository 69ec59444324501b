// Protobuf request bodies (`application/vnd.kubernetes.protobuf`), which kubectl 1.32+ sends for its typed
// creates, reviews and delete options. A body is the magic `k8s\0` and a runtime.Unknown envelope naming
// the apiVersion and kind, whose `raw` bytes are that kind's message (the .proto files beside this one).
// Decoded, it becomes the object Go's encoding/json would have written for the same Go struct, so that
// the rest of the apiserver sees the same JSON object whichever way kubectl sent it.
import path from 'node:path';
import protobuf from 'protobufjs';
import { badRequest, unsupportedMediaType } from '../../shared/errors';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from('k8s\0', 'latin1');
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** The .proto files, named as they import each other (`k8s.io/api/core/v1/generated.proto`). */
function loadMessages(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(__dirname, target);
  root.loadSync(
    [
      'k8s.io/apimachinery/pkg/runtime/generated.proto',
      ...['core', 'apps', 'authentication', 'authorization', 'autoscaling', 'batch', 'certificates', 'coordination'].map(
        (g) => `k8s.io/api/${g}/v1/generated.proto`,
      ),
      ...['discovery', 'networking', 'policy', 'rbac', 'scheduling', 'storage'].map((g) => `k8s.io/api/${g}/v1/generated.proto`),
      'k8s.io/api/autoscaling/v2/generated.proto',
    ],
    { keepCase: true },
  );
  root.resolveAll();
  return root;
}

let messages: protobuf.Root | undefined;
function root(): protobuf.Root {
  return (messages ??= loadMessages());
}

/**
 * The message of a kind: `k8s.io.api.<group's first label>.<version>.<Kind>` (the core group is `core`),
 * or one of meta.k8s.io's kinds that every group version serves (DeleteOptions).
 */
export function messageOf(apiVersion: string, kind: string): protobuf.Type | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  for (const pkg of [`k8s.io.api.${group ? group.split('.')[0] : 'core'}.${version}`, META]) {
    const found = root().lookup(`${pkg}.${kind}`);
    if (found instanceof protobuf.Type) return found;
  }
  return undefined;
}

/** Decodes a protobuf body into the JSON object of its kind, with its `kind` and `apiVersion`. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length === 0) throw badRequest('the body of the request was empty');
  if (!body.subarray(0, MAGIC.length).equals(MAGIC))
    throw badRequest('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  let unknown: { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array; contentEncoding?: string };
  try {
    unknown = root().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown').decode(body.subarray(MAGIC.length)) as typeof unknown;
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded as protobuf: ${(err as Error).message}`);
  }
  const apiVersion = unknown.typeMeta?.apiVersion ?? '';
  const kind = unknown.typeMeta?.kind ?? '';
  if (unknown.contentEncoding) throw unsupportedMediaType(PROTOBUF, `content encoding "${unknown.contentEncoding}" is not supported`);
  const type = messageOf(apiVersion, kind);
  if (!type) throw unsupportedMediaType(PROTOBUF, `this server cannot decode the protobuf message of ${apiVersion}, Kind=${kind}`);
  let decoded: protobuf.Message;
  try {
    decoded = type.decode(unknown.raw ?? new Uint8Array());
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded as protobuf ${apiVersion}, Kind=${kind}: ${(err as Error).message}`);
  }
  const object = toJSON(type, type.toObject(decoded, { longs: Number, bytes: String }));
  return { kind, apiVersion, ...object };
}

type JSONObject = Record<string, unknown>;

/**
 * Messages whose Go types write their own JSON: times as RFC 3339 strings (the zero time, an empty
 * message, as null), quantities as their string, int-or-strings as either, raw JSON as itself, and
 * ExtraValue (`[]string`) as an array.
 */
const GO_JSON: Record<string, (value: JSONObject) => unknown> = {
  [`${META}.Time`]: (t) => (t.seconds === undefined && t.nanos === undefined ? null : rfc3339(t, 0)),
  [`${META}.MicroTime`]: (t) => (t.seconds === undefined && t.nanos === undefined ? null : rfc3339(t, 6)),
  [`${META}.FieldsV1`]: (f) => rawJSON(f.Raw),
  'k8s.io.apimachinery.pkg.runtime.RawExtension': (r) => rawJSON(r.raw),
  'k8s.io.apimachinery.pkg.api.resource.Quantity': (q) => q.string ?? '',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': (v) => (v.type === 1 ? (v.strVal ?? '') : (v.intVal ?? 0)),
  'k8s.io.api.authentication.v1.ExtraValue': (v) => v.items ?? [],
  'k8s.io.api.authorization.v1.ExtraValue': (v) => v.items ?? [],
  'k8s.io.api.certificates.v1.ExtraValue': (v) => v.items ?? [],
};

/** `2024-05-01T10:00:00Z` (metav1.Time) or `2024-05-01T10:00:00.000000Z` (metav1.MicroTime). */
function rfc3339(t: JSONObject, fractionDigits: number): string {
  const ms = Number(t.seconds ?? 0) * 1000;
  const iso = new Date(ms).toISOString(); // 2024-05-01T10:00:00.000Z
  const fraction = String(Number(t.nanos ?? 0))
    .padStart(9, '0')
    .slice(0, fractionDigits);
  return `${iso.slice(0, 19)}${fractionDigits ? `.${fraction}` : ''}Z`;
}

/** RawExtension and FieldsV1 hold JSON text (bytes arrive base64, as toObject writes them). */
function rawJSON(raw: unknown): unknown {
  if (typeof raw !== 'string' || raw === '') return null;
  const text = Buffer.from(raw, 'base64').toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('the body of the request holds an embedded object that is not JSON');
  }
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

/** The JSON object of one decoded message (as protobufjs' toObject left it: only the fields on the wire). */
function toJSON(type: protobuf.Type, message: JSONObject): JSONObject {
  const out: JSONObject = {};
  for (const field of type.fieldsArray) {
    const omitempty = field.options?.['(json_omitempty)'] !== false;
    if (!Object.prototype.hasOwnProperty.call(message, field.name)) {
      if (!omitempty && (field.repeated || field.map || field.resolvedType)) out[field.name] = null;
      continue;
    }
    const value = message[field.name];
    const valueType = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    const convert = (v: unknown) => (valueType ? messageToJSON(valueType, v as JSONObject) : v);
    if (field.map) {
      const entries = Object.entries(value as JSONObject);
      if (entries.length) out[field.name] = Object.fromEntries(entries.map(([k, v]) => [k, convert(v)]));
    } else if (field.repeated) {
      if ((value as unknown[]).length) out[field.name] = (value as unknown[]).map(convert);
    } else if (valueType) {
      const converted = convert(value);
      if (field.options?.['(json_inline)']) Object.assign(out, converted);
      else out[field.name] = converted;
    } else if (!(field.options?.['(gogoproto.nullable)'] === false && omitempty && isZero(value))) {
      out[field.name] = value; // a pointer keeps its zero: it was set on purpose
    }
  }
  return out;
}

function messageToJSON(type: protobuf.Type, message: JSONObject): unknown {
  const goJSON = GO_JSON[type.fullName.slice(1)];
  return goJSON ? goJSON(message) : toJSON(type, message);
}
