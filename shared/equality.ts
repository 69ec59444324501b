// Semantic equality of API values (Kubernetes' equality.Semantic.DeepEqual): key order, keys holding
// `undefined`, and fields set to null do not matter, as none of them is a value in Go's structs
// (`creationTimestamp: null` is how a zero time is written).
import { isDeepStrictEqual } from 'node:util';

function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return Array.from(v, normalise); // a plain array whatever realm made `v` (jest runs tests in a vm context)
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, child] of Object.entries(v)) if (child !== null && child !== undefined) out[k] = normalise(child);
  return out;
}

export function semanticallyEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(normalise(a), normalise(b));
}
