// Reading a collection page by page, as k8s.io/apiserver's etcd3 store does in GetList: ranges of keys
// with a limit, all at the revision of the first one, filtered as they arrive, so no more than a page of
// objects is ever held that the caller will not return. A paged list (limit > 0) fills its page with
// matching objects, reading twice as many keys each round when a selector drops most of them (up to
// 10,000), and ends with a continue token naming the next key and that revision. A list without a limit
// is read the same way in chunks and returned whole.
import type { KubeObject } from '../../shared/api/meta';
import { badRequest, gone, StatusError, statusFailure } from '../../shared/errors';
import { isCompacted } from '../storage/errors';
import type { Storage } from '../storage/interface';
import { decodeContinue, encodeContinue } from './continue';
import { everything, Predicate } from './selection';

/** The most keys one read asks etcd for while a filtered page is still short (upstream's maxLimit). */
const MAX_LIMIT = 10_000;
/** How many keys each read of a list without a limit asks for. */
const CHUNK = 1000;

/** What a list request asks for (Kubernetes' ListOptions, already validated by the HTTP layer). */
export interface ListOptions {
  /** At most this many objects, with a continue token when more remain; all of them when 0 or unset. */
  limit?: number;
  /** The token of the previous page. */
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

const EXPIRED = 'The resourceVersion for the provided list is too old.';
const INCONSISTENT_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the ' +
  'continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with ' +
  'the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time ' +
  'the first chunk was returned and now may show up in the list.';

/** 504 for a list that must be at least as new as a revision the store has not reached. */
function tooLargeResourceVersion(minimum: bigint, current: string): StatusError {
  return new StatusError(
    statusFailure(504, 'Timeout', `Timeout: Too large resource version: ${minimum}, current: ${current}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    }),
  );
}

function parseResourceVersion(rv: string): bigint {
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`);
  return BigInt(rv);
}

/**
 * Lists a collection as Kubernetes does: the next page of a continue token (at its revision, or the
 * latest for a token of an expired list); else at resourceVersion exactly (resourceVersionMatch=Exact, or
 * a legacy resourceVersion with a limit), or at the latest revision, which must not be older than
 * resourceVersion (NotOlderThan, or a legacy resourceVersion without a limit; "0" is any).
 */
export async function listCollection(storage: Storage, prefix: string, predicate: Predicate, options: ListOptions): Promise<Page> {
  const limit = Math.max(0, options.limit ?? 0);
  const rv = options.resourceVersion;
  let request: PageRequest = { limit };
  let minimum: bigint | undefined;
  if (options.continue) {
    let next;
    try {
      next = decodeContinue(options.continue, prefix);
    } catch (err) {
      throw badRequest(`invalid continue token: ${(err as Error).message}`);
    }
    if (rv && rv !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    request = { limit, start: next.start, revision: next.revision > 0 ? String(next.revision) : undefined };
  } else if (rv) {
    const parsed = parseResourceVersion(rv);
    const exact = options.resourceVersionMatch === 'Exact' || (options.resourceVersionMatch === undefined && limit > 0 && parsed > 0n);
    if (exact) request = { limit, revision: rv };
    else minimum = parsed;
  }
  try {
    const page = await readPage(storage, prefix, predicate, request);
    if (minimum !== undefined && BigInt(page.revision) < minimum) throw tooLargeResourceVersion(minimum, page.revision);
    return page;
  } catch (err) {
    if (!isCompacted(err)) throw err;
    if (!options.continue) throw gone(EXPIRED);
    // The snapshot of the first page is gone: offer the rest of the list at the latest revision instead.
    const expired = gone(INCONSISTENT_CONTINUE);
    expired.status.metadata = { continue: encodeContinue(request.start!, prefix, -1) };
    throw expired;
  }
}

export interface PageRequest {
  /** At most this many objects; 0: all of them. */
  limit: number;
  /** The key to start from (a continue token's); the prefix's first key when undefined. */
  start?: string;
  /** The revision to read; the latest when undefined. */
  revision?: string;
}

export interface Page {
  items: KubeObject[];
  /** The revision every read was made at. */
  revision: string;
  continue?: string;
  /** Objects after this page, when the list has no selector (a count of keys is not a count of matches). */
  remainingItemCount?: number;
}

export async function readPage(storage: Storage, prefix: string, predicate: Predicate, request: PageRequest): Promise<Page> {
  const { limit } = request;
  const paging = limit > 0;
  // A whole list at the latest revision may start again if its snapshot is compacted between two chunks.
  const restartable = !paging && !request.revision && !request.start;
  let fetch = paging ? limit : CHUNK;
  let start = request.start;
  let revision = request.revision;
  let items: KubeObject[] = [];
  let lastKey = '';
  for (;;) {
    let page;
    try {
      page = await storage.list(prefix, { start, revision, limit: fetch });
    } catch (err) {
      if (!(restartable && start !== undefined && isCompacted(err))) throw err;
      [start, revision, items] = [undefined, undefined, []];
      continue;
    }
    if (page.more && page.items.length === 0) throw new Error('no results were found, but etcd indicated there were more values remaining');
    revision ??= page.revision;
    let more = page.more;
    for (const { key, object } of page.items) {
      if (paging && items.length >= limit) {
        more = true;
        break;
      }
      lastKey = key;
      if (predicate(object)) items.push(object);
    }
    if (!more) return { items, revision };
    if (paging && items.length >= limit) {
      return {
        items,
        revision,
        continue: encodeContinue(`${lastKey}\0`, prefix, Number(revision)),
        ...(predicate === everything ? { remainingItemCount: page.count - limit } : {}),
      };
    }
    if (paging) fetch = Math.min(fetch * 2, MAX_LIMIT);
    start = `${lastKey}\0`;
  }
}
