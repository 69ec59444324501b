// Request bodies: JSON (also when no Content-Type is sent, as `kubectl scale --current-replicas` does)
// or YAML, or protobuf (kubectl 1.32+, decoded by apiserver/protobuf), at most 3 MiB.
import { checkNestingDepth } from '../../shared/api/decode';
import { badRequest, unsupportedMediaType } from '../../shared/errors';
import { decodeProtobuf, PROTOBUF } from '../protobuf/decode';
import { decodeYaml } from './yaml';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export type PatchType =
  | 'application/merge-patch+json'
  | 'application/json-patch+json'
  | 'application/strategic-merge-patch+json'
  | 'application/apply-patch+yaml';
const PATCH_TYPES: PatchType[] = [
  'application/merge-patch+json',
  'application/json-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/** The media type without parameters, lower-cased; '' when absent. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function patchType(contentType: string | undefined): PatchType {
  const t = mediaType(contentType);
  if (!PATCH_TYPES.includes(t as PatchType)) throw unsupportedMediaType(t);
  return t as PatchType;
}

/** Decodes a request body as JSON, YAML or protobuf according to its Content-Type. */
export function decodeBody(raw: Buffer | undefined, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (type === PROTOBUF) {
    const object = decodeProtobuf(raw ?? Buffer.alloc(0));
    checkNestingDepth(object); // an embedded RawExtension is JSON of any depth
    return object;
  }
  const text = (raw ?? Buffer.alloc(0)).toString('utf8');
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  const yaml = type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'text/yaml';
  const body = yaml ? decodeYaml(text) : decodeJson(text);
  checkNestingDepth(body); // patches and apply bodies are merged recursively
  return body;
}

function decodeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded as JSON: ${(err as Error).message}`);
  }
}
