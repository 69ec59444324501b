// The query parameters of resource requests, typed.
import type { DeleteOptions } from '../../shared/api/meta';
import { badRequest } from '../../shared/errors';

export type Query = Record<string, string | string[] | undefined>;

export function one(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
}

export function flag(q: Query, name: string): boolean {
  const v = one(q, name);
  return v === 'true' || v === '1';
}

export function intParam(q: Query, name: string): number | undefined {
  const v = one(q, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid value for ${name}: ${JSON.stringify(v)}`);
  return n;
}

/** `?dryRun=All`: validate and admit, but do not store. */
export function isDryRun(q: Query, body?: { dryRun?: string[] }): boolean {
  const v = q.dryRun;
  const values = Array.isArray(v) ? v : v ? [v] : (body?.dryRun ?? []);
  for (const d of values) if (d !== 'All') throw badRequest(`Invalid dry run value: ${d}`);
  return values.length > 0;
}

/** DeleteOptions from the body, overridden by query parameters. */
export function deleteOptions(q: Query, body: unknown): DeleteOptions {
  const opts: DeleteOptions = body && typeof body === 'object' && !Array.isArray(body) ? { ...(body as DeleteOptions) } : {};
  const grace = intParam(q, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = one(q, 'propagationPolicy');
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw badRequest(
      `propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  if (one(q, 'orphanDependents') !== undefined) opts.orphanDependents = flag(q, 'orphanDependents');
  return opts;
}
