// An in-memory Storage (and AllocationStorage): the fake side of the storage interface, for unit tests of the registry. It keeps
// etcd's model (one revision counter for the whole store, every write a compare-and-swap, reads at older
// revisions until they are compacted) and the same StorageErrors, so the registry cannot tell it from etcd.
// Time to live is not modelled: keys written with one stay until deleted.
import type { KubeObject } from '../../shared/api/meta';
import { StorageError } from './errors';
import type { AllocationStorage, ListOptions, ListPage, Preconditions, Storage, StorageEvent, UpdateFunc } from './interface';
import { checkPreconditions } from './preconditions';

/** One write in the history: the key's new value, or undefined for a delete. */
interface Change {
  revision: number;
  key: string;
  value?: string;
  /** The revision that created the key's current incarnation (ADDED vs MODIFIED). */
  created: number;
}

interface Watcher {
  prefix: string;
  onEvent: (e: StorageEvent) => void;
}

function encode(obj: KubeObject): string {
  const { resourceVersion: _ignored, ...metadata } = obj.metadata;
  return JSON.stringify({ ...obj, metadata });
}

function decode(value: string, revision: number): KubeObject {
  const obj = JSON.parse(value) as KubeObject;
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

export class MemoryStorage implements Storage, AllocationStorage {
  private revision = 1;
  private compactedAt = 0;
  private readonly history: Change[] = [];
  private readonly watchers = new Set<Watcher>();

  /** The latest change of every key that exists at `revision`. */
  private stateAt(revision: number): Map<string, Change> {
    const state = new Map<string, Change>();
    for (const c of this.history) {
      if (c.revision > revision) break;
      if (c.value === undefined) state.delete(c.key);
      else state.set(c.key, c);
    }
    return state;
  }

  private current(key: string): Change | undefined {
    return this.stateAt(this.revision).get(key);
  }

  private write(key: string, value: string | undefined, previous?: Change): number {
    const revision = ++this.revision;
    const change: Change = { revision, key, value, created: value === undefined ? 0 : (previous?.created ?? revision) };
    this.history.push(change);
    for (const w of this.watchers) if (key.startsWith(w.prefix)) w.onEvent(this.eventOf(change, previous));
    return revision;
  }

  private eventOf(change: Change, previous?: Change): StorageEvent {
    if (change.value === undefined) return { type: 'DELETED', object: decode(previous!.value!, change.revision) };
    return { type: change.created === change.revision ? 'ADDED' : 'MODIFIED', object: decode(change.value, change.revision) };
  }

  private readableAt(key: string, revision?: string): number {
    const at = revision ? Number(revision) : this.revision;
    if (at < this.compactedAt) throw new StorageError('Compacted', key, { revision });
    return at;
  }

  create(key: string, obj: KubeObject): Promise<KubeObject> {
    if (this.current(key)) return Promise.reject(new StorageError('KeyExists', key));
    const revision = this.write(key, encode(obj));
    return Promise.resolve({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } });
  }

  get(key: string): Promise<KubeObject | undefined> {
    const c = this.current(key);
    return Promise.resolve(c ? decode(c.value!, c.revision) : undefined);
  }

  list(prefix: string, { revision, start, limit }: ListOptions = {}): Promise<ListPage> {
    try {
      const at = this.readableAt(prefix, revision);
      const from = start ?? prefix;
      const range = [...this.stateAt(at).values()]
        .filter((c) => c.key.startsWith(prefix) && c.key >= from)
        .sort((a, b) => (a.key < b.key ? -1 : 1));
      const page = limit ? range.slice(0, limit) : range;
      return Promise.resolve({
        items: page.map((c) => ({ key: c.key, object: decode(c.value!, c.revision) })),
        revision: String(at),
        more: page.length < range.length,
        count: range.length,
      });
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  private readForWrite(key: string, preconditions: Preconditions): { change: Change; current: KubeObject } {
    const change = this.current(key);
    if (!change) throw new StorageError('KeyNotFound', key);
    const current = decode(change.value!, change.revision);
    checkPreconditions(key, current, preconditions);
    return { change, current };
  }

  async guaranteedUpdate(key: string, tryUpdate: UpdateFunc, preconditions: Preconditions = {}): Promise<KubeObject> {
    for (;;) {
      const { change, current } = this.readForWrite(key, preconditions);
      const next = await tryUpdate(structuredClone(current));
      const encoded = encode(next);
      if (encoded === change.value) return current;
      if (this.current(key)?.revision !== change.revision) continue; // lost a race: read again
      const revision = this.write(key, encoded, change);
      return { ...next, metadata: { ...next.metadata, resourceVersion: String(revision) } };
    }
  }

  delete(key: string, preconditions: Preconditions = {}): Promise<KubeObject> {
    try {
      const { change, current } = this.readForWrite(key, preconditions);
      const revision = this.write(key, undefined, change);
      return Promise.resolve({ ...current, metadata: { ...current.metadata, resourceVersion: String(revision) } });
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  watch(
    prefix: string,
    resourceVersion: string,
    onEvent: (e: StorageEvent) => void,
    _onError: (err: Error) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const from = Number(resourceVersion);
    if (from + 1 < this.compactedAt) return Promise.reject(new StorageError('Compacted', prefix, { revision: resourceVersion }));
    const previous = new Map<string, Change>();
    for (const c of this.history) {
      if (c.revision > from && c.key.startsWith(prefix)) onEvent(this.eventOf(c, previous.get(c.key)));
      previous.set(c.key, c);
    }
    const watcher = { prefix, onEvent };
    this.watchers.add(watcher);
    signal.addEventListener('abort', () => this.watchers.delete(watcher), { once: true });
    return Promise.resolve();
  }

  currentRevision(): Promise<string> {
    return Promise.resolve(String(this.revision));
  }

  /** Forgets the history before `revision`: reads and watches from earlier revisions are Compacted. */
  compact(revision: number): void {
    this.compactedAt = revision;
  }

  reserve(key: string, owner: string): Promise<boolean> {
    if (this.current(key)) return Promise.resolve(false);
    this.write(key, owner);
    return Promise.resolve(true);
  }

  ownerOf(key: string): Promise<string | undefined> {
    return Promise.resolve(this.current(key)?.value);
  }

  allocated(prefix: string): Promise<Set<string>> {
    return Promise.resolve(new Set([...this.stateAt(this.revision).keys()].filter((k) => k.startsWith(prefix))));
  }

  release(key: string): Promise<void> {
    const change = this.current(key);
    if (change) this.write(key, undefined, change);
    return Promise.resolve();
  }

  healthy(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): void {
    this.watchers.clear();
  }
}
