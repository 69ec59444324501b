// Request bodies: JSON (also when no Content-Type is sent, as `kubectl scale --current-replicas` does)
// or YAML, at most 3 MiB. Protobuf is refused with 415, which kubectl prints as is.
import { parse as parseYaml } from 'yaml';
import { badRequest, unsupportedMediaType } from '../../shared/errors';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export type PatchType = 'application/merge-patch+json' | 'application/json-patch+json' | 'application/strategic-merge-patch+json' | 'application/apply-patch+yaml';
const PATCH_TYPES: PatchType[] = ['application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/** The media type without parameters, lower-cased; '' when absent. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function patchType(contentType: string | undefined): PatchType {
  const t = mediaType(contentType);
  if (!PATCH_TYPES.includes(t as PatchType)) throw unsupportedMediaType(t);
  return t as PatchType;
}

/** Decodes a request body as JSON or YAML according to its Content-Type. */
export function decodeBody(raw: Buffer | undefined, contentType: string | undefined): unknown {
  const text = (raw ?? Buffer.alloc(0)).toString('utf8');
  const type = mediaType(contentType);
  if (type.includes('protobuf')) throw unsupportedMediaType(type);
  if (text.trim() === '') throw badRequest('the body of the request was empty');
  const yaml = type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'text/yaml';
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw badRequest(`the body of the request could not be decoded as ${yaml ? 'YAML' : 'JSON'}: ${reason}`);
  }
}
