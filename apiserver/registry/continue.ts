// The `continue` token of a paged list, in Kubernetes' format (k8s.io/apiserver storage/continue.go) so a
// client sees what a real apiserver sends: base64url (no padding) of {"v":"meta.k8s.io/v1","rv":N,"start":K}
// where N is the revision of the first page (every page reads that snapshot; -1 means "the latest") and K
// the key to go on from, relative to the list's prefix. The token comes back from the client: hostile.

const VERSION = 'meta.k8s.io/v1';

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

/** Where a list goes on: the absolute key to start from, and the revision to read (-1: the latest). */
export interface Continuation {
  start: string;
  revision: number;
}

export function encodeContinue(key: string, prefix: string, revision: number): string {
  if (!key.startsWith(prefix) || key === prefix)
    throw new Error(`unable to encode next field: the key and key prefix do not match ${prefix} ${key}`);
  const token: ContinueToken = { v: VERSION, rv: revision, start: key.slice(prefix.length) };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

/** A normalised absolute path, as Go's path.Clean would give (no `.`, `..` or doubled slashes). */
function cleanPath(p: string): string {
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Reads a token; throws an Error worded as Kubernetes' ("continue key is not valid: ...") when it is not one. */
export function decodeContinue(value: string, prefix: string): Continuation {
  let token: Partial<ContinueToken>;
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(value)) throw new Error('illegal base64 data');
    token = JSON.parse(Buffer.from(value, 'base64url').toString()) as Partial<ContinueToken>;
    if (token === null || typeof token !== 'object') throw new Error('not a JSON object');
  } catch (err) {
    throw new Error(`continue key is not valid: ${(err as Error).message}`, { cause: err });
  }
  if (token.v !== VERSION) throw new Error(`continue key is not valid: server does not recognize this encoded version ${String(token.v)}`);
  if (typeof token.rv !== 'number' || !Number.isSafeInteger(token.rv) || token.rv === 0) {
    throw new Error('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof token.start !== 'string' || token.start === '') {
    throw new Error('continue key is not valid: encoded start key empty (version meta.k8s.io/v1)');
  }
  // The start key must stay below the prefix: no `..` may climb out of it.
  const key = token.start.startsWith('/') ? token.start : `/${token.start}`;
  if (cleanPath(key) !== key) {
    throw new Error(`continue key is not valid: ${token.start}`);
  }
  return { start: prefix + key.slice(1), revision: token.rv };
}
