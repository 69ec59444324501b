// Semantic equality of API values (Kubernetes' equality.Semantic.DeepEqual): key order and keys holding
// `undefined` do not matter, as neither survives a trip through JSON.
import { isDeepStrictEqual } from 'node:util';

const normalise = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

export function semanticallyEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(normalise(a), normalise(b));
}
