// Kubernetes' "safe" alphabet for generated names: no vowels (no accidental words) and no 0, 1, 3
// (confusable with o, l, e). Used for generateName suffixes and pod-template-hash values.
import { randomInt } from 'node:crypto';

export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `n` random characters of the safe alphabet: the suffix of `generateName` (5 in Kubernetes). */
export function randomSafeString(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += SAFE_ALPHABET[randomInt(SAFE_ALPHABET.length)];
  return out;
}
