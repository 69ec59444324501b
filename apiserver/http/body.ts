// Request bodies: JSON (also when no Content-Type is sent, as `kubectl scale --current-replicas` does)
// or YAML, or protobuf (kubectl 1.32+, decoded by apiserver/protobuf), at most 3 MiB.
import { parse as parseYaml } from 'yaml';
import { checkNestingDepth } from '../../shared/api/validation';
import { badRequest, unsupportedMediaType } from '../../shared/errors';
import { decodeProtobuf, PROTOBUF } from '../protobuf/decode';

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

/**
 * The yaml parser recurses once per nesting level: a few hundred levels overflow its stack, and a second
 * such body then aborts the whole process (V8 fails compiling a RegExp). Deeper YAML is refused unparsed.
 */
const MAX_YAML_NESTING = 200;

/**
 * An upper bound of how deep YAML text nests: per line, its indentation and leading `- `, `? `, `: `
 * indicators (block nesting) plus the flow brackets `[` `{` open on it (quotes are not skipped).
 */
function yamlNestingBound(text: string): number {
  let open = 0;
  let max = 0;
  for (const line of text.split('\n')) {
    const lead = /^[ \t]*(?:[-?:][ \t]+)*/.exec(line)![0].length;
    let deepest = open;
    for (const ch of line) {
      if (ch === '[' || ch === '{') deepest = Math.max(deepest, ++open);
      else if ((ch === ']' || ch === '}') && open > 0) open--;
    }
    max = Math.max(max, lead + deepest);
  }
  return max;
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
  if (yaml && yamlNestingBound(text) > MAX_YAML_NESTING)
    throw badRequest(`the body of the request nests more than ${MAX_YAML_NESTING} levels deep`);
  let body: unknown;
  try {
    body = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw badRequest(`the body of the request could not be decoded as ${yaml ? 'YAML' : 'JSON'}: ${reason}`);
  }
  checkNestingDepth(body); // patches and apply bodies are merged recursively
  return body;
}
