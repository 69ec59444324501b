// PATCH bodies, by Content-Type: JSON merge patch, JSON patch, strategic merge patch, and server-side
// apply (here: the applied manifest merged strategically onto the live object).
import { badRequest, unsupportedMediaType } from '../../shared/errors';
import { applyJsonPatch } from './jsonpatch';
import { isObject, Json, mergePatch } from './merge';
import { strategicMergePatch } from './strategic';

export function applyPatch(original: object, patch: unknown, contentType: string, kind: string): object {
  switch (contentType) {
    case 'application/merge-patch+json':
      return mergePatch(original as Json, patch as Json) as object;
    case 'application/json-patch+json':
      if (!Array.isArray(patch)) throw badRequest('json patch must be a JSON array of operations');
      return applyJsonPatch(original, patch);
    case 'application/strategic-merge-patch+json':
      return strategicMergePatch(original as Json, patch as Json, kind) as object;
    case 'application/apply-patch+yaml':
      if (!isObject(patch)) throw badRequest('apply patch must be an object');
      return strategicMergePatch(original as Json, patch, kind) as object;
    default:
      throw unsupportedMediaType(contentType);
  }
}
