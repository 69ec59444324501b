// The storage interface of the apiserver, as in k8s.io/apiserver's storage.Interface (and as narrow as
// kine's): objects are JSON documents under keys, every write is a compare-and-swap, and resourceVersion is
// the storage revision (set on objects when they are read, never stored inside them). Failures are
// StorageErrors (./errors.ts) in storage words: key exists, key not found, conflict, compacted, unavailable.
import type { KubeObject } from '../../shared/api/meta';

/** An object with the key it is stored under. */
export interface StoredObject {
  key: string;
  object: KubeObject;
}

/** Which keys of a prefix a list reads: etcd's range request. */
export interface ListOptions {
  /** Read at this revision (a consistent snapshot across pages); the latest when undefined. */
  revision?: string;
  /** The first key to read, inside the prefix; the prefix's first key when undefined. */
  start?: string;
  /** Read at most this many keys; all of them when undefined or 0. */
  limit?: number;
}

/** One range of keys, in key order. */
export interface ListPage {
  items: StoredObject[];
  /** The revision the page was read at. */
  revision: string;
  /** Whether keys remain in the prefix after the last one returned. */
  more: boolean;
  /** How many keys the prefix holds from `start` on, the returned ones included. */
  count: number;
}

export type StorageEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StorageEvent {
  type: StorageEventType;
  /** For DELETED: the last state before deletion, with the deletion's revision as resourceVersion. */
  object: KubeObject;
}

/** Returns the next state of an object, or throws to abort the update. */
export type UpdateFunc = (current: KubeObject) => KubeObject | Promise<KubeObject>;

export interface Preconditions {
  resourceVersion?: string;
  uid?: string;
}

/** How long a written key lives: etcd deletes it (a DELETED event) that many seconds after its last write. */
export interface TTL {
  ttlSeconds?: number;
}

export interface Storage {
  /** Stores a new object; KeyExists if the key is taken. */
  create(key: string, obj: KubeObject, ttl?: TTL): Promise<KubeObject>;
  get(key: string): Promise<KubeObject | undefined>;
  /** Reads the objects under `prefix` in key order, from `start`, at most `limit` of them; Compacted for a compacted revision. */
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  /**
   * Reads the object, applies `tryUpdate` and writes the result if nobody wrote in between; retries on a
   * lost race. KeyNotFound when there is no object, Conflict when the preconditions do not hold.
   */
  guaranteedUpdate(key: string, tryUpdate: UpdateFunc, preconditions?: Preconditions, ttl?: TTL): Promise<KubeObject>;
  /** Deletes the object if the preconditions hold (else Conflict); returns its last state. */
  delete(key: string, preconditions?: Preconditions): Promise<KubeObject>;
  /**
   * Streams changes under `prefix` after `resourceVersion` until `signal` aborts. Rejects (or calls
   * onError) with Compacted when that revision has been compacted, Unavailable when etcd goes away.
   */
  watch(
    prefix: string,
    resourceVersion: string,
    onEvent: (e: StorageEvent) => void,
    onError: (err: Error) => void,
    signal: AbortSignal,
  ): Promise<void>;
  /** The current revision of the store. */
  currentRevision(): Promise<string>;
  healthy(): Promise<boolean>;
  close(): void;
}

/**
 * What the allocators (allocators/range.ts) need, apart from object storage: one key per allocated item,
 * created only when absent, holding the item's owner.
 */
export interface AllocationStorage {
  /** Creates `key` holding `owner` unless the key exists; true when it was created. */
  reserve(key: string, owner: string): Promise<boolean>;
  /** The owner `key` holds, if it exists. */
  ownerOf(key: string): Promise<string | undefined>;
  /** Every allocated key under `prefix`. */
  allocated(prefix: string): Promise<Set<string>>;
  release(key: string): Promise<void>;
}
