// The etcd3 implementation of Storage and AllocationStorage: the only file of the project that imports etcd3. Every failure of
// the etcd3 client leaves as a StorageError (or, when it is none of those, as it came).
import { AsyncLocalStorage } from 'node:async_hooks';
import { handleWhen, retry } from 'cockatiel';
import { Etcd3, GRPCDeadlineExceededError, IKeyValue, isRecoverableError, Range, Watcher } from 'etcd3';
import type { KubeObject } from '../../shared/api/meta';
import { StorageError } from './errors';
import type { AllocationStorage, ListOptions, ListPage, Preconditions, Storage, StorageEvent, TTL, UpdateFunc } from './interface';
import { LeaseManager } from './leases';
import { checkPreconditions } from './preconditions';

function decode(kv: IKeyValue): KubeObject {
  const obj = JSON.parse(kv.value.toString()) as KubeObject;
  obj.metadata.resourceVersion = String(kv.mod_revision);
  return obj;
}

function encode(obj: KubeObject): string {
  const { resourceVersion: _ignored, ...metadata } = obj.metadata;
  return JSON.stringify({ ...obj, metadata });
}

// etcd's own words for its errors (clientv3's rpctypes compares them the same way: gRPC errors carry no type).
const COMPACTED = 'etcdserver: mvcc: required revision has been compacted';
const FUTURE_REVISION = 'etcdserver: mvcc: required revision is a future revision';
/** etcd cancels a watch without giving a reason only when its next revision was compacted away. */
const CANCELED_FOR_COMPACTION = 'Watcher canceled: ';

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Whether the etcd3 client could not reach etcd: the errors it marks as recoverable (unavailable, deadline
 * exceeded, ...), or its per-host circuit breaker refusing calls for 5 s after 3 failures in a row (a
 * cockatiel BrokenCircuitError, which marks itself).
 */
function isOutage(err: unknown): boolean {
  return err instanceof Error && (isRecoverableError(err) || (err as { isBrokenCircuitError?: boolean }).isBrokenCircuitError === true);
}

/** The StorageError an etcd3 failure on `key` stands for; other errors as they are. */
function storageError(err: unknown, key: string, revision?: string): unknown {
  if (err instanceof StorageError) return err;
  const message = messageOf(err);
  if (message.includes(COMPACTED) || message === CANCELED_FOR_COMPACTION)
    return new StorageError('Compacted', key, { revision, cause: err });
  if (isOutage(err)) return new StorageError('Unavailable', key, { detail: message, cause: err });
  return err;
}

/** Runs one storage operation, translating what etcd3 throws. */
async function translated<T>(key: string, op: () => Promise<T>, revision?: string): Promise<T> {
  try {
    return await op();
  } catch (err) {
    throw storageError(err, key, revision);
  }
}

const MAX_RESPONSE_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/**
 * How long one etcd request may take. Without a deadline a request queued on a gRPC channel that is not
 * ready has no end of its own (seen after connections were cut: writes unanswered for minutes), and while
 * etcd3's circuit breaker is half-open every other request waits behind its one trial request: one such
 * request held the whole apiserver. Watches and lease keep-alives are streams and live on.
 */
const REQUEST_TIMEOUT_MS = 5000;
/**
 * Set while a write (a transaction) is in flight. A write whose connection broke after it was sent may
 * have been applied, and tried again it finds its own work: a create its own key (AlreadyExists for what
 * it stored: 39 of 150 creates whose etcd connection was cut mid-request, 2026-12-04), a compare-and-swap
 * its own revision (Conflict). Kubernetes' etcd client tries a write again only when no connection took
 * it; etcd3's errors do not tell that apart, so a write is not tried again here: it fails as unavailable
 * (503), and the client, which knows what it meant, tries again.
 */
const writing = new AsyncLocalStorage<true>();
const unretried = <T>(write: () => Promise<T>): Promise<T> => writing.run(true, write);

/**
 * etcd3 tries a read that failed for want of etcd up to three more times, on the next host each time.
 * Not one that ran out of time (its time is spent), and not a write (above).
 */
const retryReadsUnlessTimedOut = retry(
  handleWhen((err) => isRecoverableError(err) && !(err instanceof GRPCDeadlineExceededError) && !writing.getStore()),
  { maxAttempts: 3 },
);
/** Kubernetes' --etcd-healthcheck-timeout default: /readyz and /livez answer within it. */
const HEALTH_CHECK_TIMEOUT_MS = 2000;

export class EtcdStorage implements Storage, AllocationStorage {
  private readonly client: Etcd3;
  private readonly leases: LeaseManager;

  /** `tls`: the CA of etcd's certificate and the client certificate etcd asks for (PEM). */
  constructor(endpoints: string[], tls?: { ca: Buffer; cert: Buffer; key: Buffer }) {
    // gRPC refuses replies over 4 MiB by default; a list of a few thousand pods is larger (Kubernetes
    // raises the same limit).
    this.client = new Etcd3({
      hosts: endpoints,
      dialTimeout: 3000,
      defaultCallOptions: (call) => (call.isStream ? {} : { deadline: Date.now() + REQUEST_TIMEOUT_MS }),
      faultHandling: { global: retryReadsUnlessTimedOut },
      grpcOptions: { 'grpc.max_receive_message_length': MAX_RESPONSE_BYTES },
      ...(tls ? { credentials: { rootCertificate: tls.ca, certChain: tls.cert, privateKey: tls.key } } : {}),
    });
    this.leases = new LeaseManager(async (ttlSeconds) => (await this.client.leaseClient.leaseGrant({ TTL: ttlSeconds })).ID);
  }

  /** The lease a key with a time to live is written on: every write renews it, as upstream's do. */
  private leaseFor({ ttlSeconds }: TTL): Promise<string | undefined> {
    return ttlSeconds ? this.leases.getLease(ttlSeconds) : Promise.resolve(undefined);
  }

  /** A put inside a transaction (a PutBuilder is a thenable: it must not be awaited or returned from async code). */
  private put(key: string, value: string, lease: string | undefined) {
    const put = this.client.put(key).value(value);
    return lease ? put.lease(lease) : put;
  }

  create(key: string, obj: KubeObject, ttl: TTL = {}): Promise<KubeObject> {
    return translated(key, async () => {
      const lease = await this.leaseFor(ttl);
      const result = await unretried(() =>
        this.client
          .if(key, 'Create', '==', 0)
          .then(this.put(key, encode(obj), lease))
          .commit(),
      );
      if (!result.succeeded) throw new StorageError('KeyExists', key);
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(result.header.revision) } };
    });
  }

  get(key: string): Promise<KubeObject | undefined> {
    return translated(key, async () => {
      const res = await this.client.get(key).exec();
      return res.kvs.length ? decode(res.kvs[0]) : undefined;
    });
  }

  list(prefix: string, { revision, start, limit }: ListOptions = {}): Promise<ListPage> {
    return translated(
      prefix,
      async () => {
        let req = this.client.getAll().inRange({ start: start ?? prefix, end: Range.prefix(prefix).end });
        if (revision) req = req.revision(revision);
        if (limit) req = req.limit(limit);
        const res = await req.exec();
        return {
          items: res.kvs.map((kv) => ({ key: kv.key.toString(), object: decode(kv) })),
          revision: revision ?? String(res.header.revision),
          more: res.more,
          count: Number(res.count),
        };
      },
      revision,
    );
  }

  /** The current key-value and object for a compare-and-swap write, after checking the preconditions. */
  private async readForWrite(key: string, preconditions: Preconditions): Promise<{ kv: IKeyValue; current: KubeObject }> {
    const res = await this.client.get(key).exec();
    if (!res.kvs.length) throw new StorageError('KeyNotFound', key);
    const current = decode(res.kvs[0]);
    checkPreconditions(key, current, preconditions);
    return { kv: res.kvs[0], current };
  }

  guaranteedUpdate(key: string, tryUpdate: UpdateFunc, preconditions: Preconditions = {}, ttl: TTL = {}): Promise<KubeObject> {
    return translated(key, async () => {
      for (;;) {
        const { kv, current } = await this.readForWrite(key, preconditions);
        const next = await tryUpdate(structuredClone(current));
        const encoded = encode(next);
        if (encoded === encode(current)) return current; // nothing changed: no write, same resourceVersion
        const lease = await this.leaseFor(ttl);
        const result = await unretried(() =>
          this.client
            .if(key, 'Mod', '==', kv.mod_revision)
            .then(this.put(key, encoded, lease))
            .commit(),
        );
        if (result.succeeded) return { ...next, metadata: { ...next.metadata, resourceVersion: String(result.header.revision) } };
        // Lost a race: read again (a resourceVersion precondition fails then, as it should).
      }
    });
  }

  delete(key: string, preconditions: Preconditions = {}): Promise<KubeObject> {
    return translated(key, async () => {
      for (;;) {
        const { kv, current } = await this.readForWrite(key, preconditions);
        const result = await unretried(() =>
          this.client.if(key, 'Mod', '==', kv.mod_revision).then(this.client.delete().key(key)).commit(),
        );
        if (result.succeeded) return { ...current, metadata: { ...current.metadata, resourceVersion: String(result.header.revision) } };
      }
    });
  }

  async watch(
    prefix: string,
    resourceVersion: string,
    onEvent: (e: StorageEvent) => void,
    onError: (err: Error) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const start = BigInt(resourceVersion) + 1n;
    // A watch from a compacted revision fails; find out before streaming anything.
    await translated(
      prefix,
      async () => {
        try {
          await this.client.get(prefix).revision(start.toString()).exec();
        } catch (err) {
          if (!messageOf(err).includes(FUTURE_REVISION)) throw err;
        }
      },
      resourceVersion,
    );
    const watcher: Watcher = await translated(prefix, () =>
      this.client.watch().prefix(prefix).startRevision(start.toString()).withPreviousKV().create(),
    );
    const stop = () => void watcher.cancel().catch(() => undefined);
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    let ended = false;
    const fail = (err: Error) => {
      if (ended) return;
      ended = true;
      signal.removeEventListener('abort', stop);
      stop();
      onError(err);
    };
    watcher.on('error', (err) => {
      const translatedErr = storageError(err, prefix, resourceVersion);
      fail(translatedErr instanceof Error ? translatedErr : new Error(messageOf(err)));
    });
    // etcd3 would re-attach a disconnected watch by itself, but a watch that lives through a broken
    // connection can stay silent afterwards: end it, as Kubernetes' watches end, and the watcher resumes
    // from its last resourceVersion on a fresh one.
    watcher.on('disconnected', () => fail(new StorageError('Unavailable', prefix, { detail: 'the etcd watch was disconnected' })));
    watcher.on('data', (res) => {
      for (const ev of res.events) {
        if (ev.type === 'Put') {
          onEvent({ type: ev.kv.create_revision === ev.kv.mod_revision ? 'ADDED' : 'MODIFIED', object: decode(ev.kv) });
        } else if (ev.prev_kv) {
          const last = decode(ev.prev_kv);
          last.metadata.resourceVersion = String(ev.kv.mod_revision);
          onEvent({ type: 'DELETED', object: last });
        }
      }
    });
  }

  currentRevision(): Promise<string> {
    const key = '/registry/__revision__';
    return translated(key, async () => String((await this.client.get(key).exec()).header.revision));
  }

  /** Compacts history older than `keep` revisions behind the current one. */
  async compact(keep: number): Promise<void> {
    const current = BigInt(await this.currentRevision());
    const target = current - BigInt(keep);
    if (target <= 0n) return;
    await this.client.kv.compact({ revision: target.toString(), physical: false }).catch((err: Error) => {
      if (!err.message.includes(COMPACTED)) throw err;
    });
  }

  reserve(key: string, owner: string): Promise<boolean> {
    return translated(key, async () => {
      const result = await unretried(() => this.client.if(key, 'Create', '==', 0).then(this.client.put(key).value(owner)).commit());
      return result.succeeded;
    });
  }

  ownerOf(key: string): Promise<string | undefined> {
    return translated(key, async () => (await this.client.get(key).string()) ?? undefined);
  }

  allocated(prefix: string): Promise<Set<string>> {
    return translated(prefix, async () => new Set(await this.client.getAll().prefix(prefix).keys()));
  }

  release(key: string): Promise<void> {
    return translated(key, async () => {
      await this.client.delete().key(key).exec();
    });
  }

  async healthy(): Promise<boolean> {
    try {
      await this.client
        .get('/registry/__health__')
        .options({ deadline: Date.now() + HEALTH_CHECK_TIMEOUT_MS })
        .exec();
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    this.client.close();
  }
}
