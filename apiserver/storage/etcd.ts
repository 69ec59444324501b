// The etcd3 implementation of Storage: the only file of the project that imports etcd3.
import { Etcd3, IKeyValue, Watcher } from 'etcd3';
import type { KubeObject } from '../../shared/api/meta';
import { alreadyExists, conflict, gone, internalError, notFound, StatusError, statusFailure } from '../../shared/errors';
import type { Preconditions, Storage, StorageEvent, StoredList, UpdateFunc } from './interface';

/** How a key names its object in messages: `/registry/core/pods/default/web` → pods "web". */
function describeKey(key: string): { resource: string; name: string } {
  const parts = key.split('/');
  const group = parts[2];
  const resource = group === 'core' ? parts[3] : `${parts[3]}.${group}`;
  return { resource, name: parts[parts.length - 1] };
}

function decode(kv: IKeyValue): KubeObject {
  const obj = JSON.parse(kv.value.toString()) as KubeObject;
  obj.metadata.resourceVersion = String(kv.mod_revision);
  return obj;
}

function encode(obj: KubeObject): string {
  const { resourceVersion: _ignored, ...metadata } = obj.metadata;
  return JSON.stringify({ ...obj, metadata });
}

/** Kubernetes' Preconditions check: a stale read is a plain Conflict for updates, worded for deletes. */
function checkPreconditions(resource: string, name: string, current: KubeObject, p: Preconditions, deleting: boolean): void {
  if (p.uid && current.metadata.uid !== p.uid) {
    throw conflict(resource, name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${current.metadata.uid}`);
  }
  if (p.resourceVersion && p.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(
      resource,
      name,
      deleting
        ? `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`
        : undefined,
    );
  }
}

/** etcd cancels a watch (with an empty reason, as etcd3 reports it) only when its revision was compacted. */
function isCompacted(err: unknown): boolean {
  return err instanceof Error && /compacted|Watcher canceled/.test(err.message);
}

const MAX_RESPONSE_BYTES = 2 * 1024 * 1024 * 1024 - 1;

export class EtcdStorage implements Storage {
  private readonly client: Etcd3;

  /** `tls`: the CA of etcd's certificate and the client certificate etcd asks for (PEM). */
  constructor(endpoints: string[], tls?: { ca: Buffer; cert: Buffer; key: Buffer }) {
    // gRPC refuses replies over 4 MiB by default; a list of a few thousand pods is larger (Kubernetes
    // raises the same limit).
    this.client = new Etcd3({
      hosts: endpoints,
      dialTimeout: 3000,
      grpcOptions: { 'grpc.max_receive_message_length': MAX_RESPONSE_BYTES },
      ...(tls ? { credentials: { rootCertificate: tls.ca, certChain: tls.cert, privateKey: tls.key } } : {}),
    });
  }

  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    const result = await this.client
      .if(key, 'Create', '==', 0)
      .then(this.client.put(key).value(encode(obj)))
      .commit();
    if (!result.succeeded) {
      const { resource, name } = describeKey(key);
      throw alreadyExists(resource, name);
    }
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(result.header.revision) } };
  }

  async get(key: string): Promise<KubeObject | undefined> {
    const res = await this.client.get(key).exec();
    return res.kvs.length ? decode(res.kvs[0]) : undefined;
  }

  async list(prefix: string, resourceVersion?: string): Promise<StoredList> {
    let req = this.client.getAll().prefix(prefix);
    if (resourceVersion && resourceVersion !== '0') req = req.revision(resourceVersion);
    try {
      const res = await req.exec();
      return {
        items: res.kvs.map(decode),
        resourceVersion: resourceVersion && resourceVersion !== '0' ? resourceVersion : String(res.header.revision),
      };
    } catch (err) {
      if (isCompacted(err)) throw gone(`too old resource version: ${resourceVersion}`);
      throw err;
    }
  }

  /** The current key-value and object for a compare-and-swap write, after checking the preconditions. */
  private async readForWrite(
    key: string,
    preconditions: Preconditions,
    deleting: boolean,
  ): Promise<{ kv: IKeyValue; current: KubeObject }> {
    const { resource, name } = describeKey(key);
    const res = await this.client.get(key).exec();
    if (!res.kvs.length) throw notFound(resource, name);
    const current = decode(res.kvs[0]);
    checkPreconditions(resource, name, current, preconditions, deleting);
    return { kv: res.kvs[0], current };
  }

  async guaranteedUpdate(key: string, tryUpdate: UpdateFunc, preconditions: Preconditions = {}): Promise<KubeObject> {
    const { resource, name } = describeKey(key);
    for (;;) {
      const { kv, current } = await this.readForWrite(key, preconditions, false);
      const next = await tryUpdate(structuredClone(current));
      const encoded = encode(next);
      if (encoded === encode(current)) return current; // nothing changed: no write, same resourceVersion
      const result = await this.client.if(key, 'Mod', '==', kv.mod_revision).then(this.client.put(key).value(encoded)).commit();
      if (result.succeeded) return { ...next, metadata: { ...next.metadata, resourceVersion: String(result.header.revision) } };
      if (preconditions.resourceVersion) throw conflict(resource, name);
    }
  }

  async delete(key: string, preconditions: Preconditions = {}): Promise<KubeObject> {
    for (;;) {
      const { kv, current } = await this.readForWrite(key, preconditions, true);
      const result = await this.client.if(key, 'Mod', '==', kv.mod_revision).then(this.client.delete().key(key)).commit();
      if (result.succeeded) return { ...current, metadata: { ...current.metadata, resourceVersion: String(result.header.revision) } };
    }
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
    try {
      await this.client.get(prefix).revision(start.toString()).exec();
    } catch (err) {
      if (isCompacted(err)) throw gone(`too old resource version: ${resourceVersion}`);
      if (!/future revision/.test(String(err))) throw err;
    }
    const watcher: Watcher = await this.client.watch().prefix(prefix).startRevision(start.toString()).withPreviousKV().create();
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
    watcher.on('error', (err) =>
      fail(isCompacted(err) ? gone(`too old resource version: ${resourceVersion}`) : internalError(String(err))),
    );
    // etcd3 would re-attach a disconnected watch by itself, but a watch that lives through a broken
    // connection can stay silent afterwards: end it, as Kubernetes' watches end, and the watcher resumes
    // from its last resourceVersion on a fresh one.
    watcher.on('disconnected', () => fail(new StatusError(statusFailure(503, 'ServiceUnavailable', 'the etcd watch was disconnected'))));
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

  async currentRevision(): Promise<string> {
    const res = await this.client.get('/registry/__revision__').exec();
    return String(res.header.revision);
  }

  /** Compacts history older than `keep` revisions behind the current one. */
  async compact(keep: number): Promise<void> {
    const current = BigInt(await this.currentRevision());
    const target = current - BigInt(keep);
    if (target <= 0n) return;
    await this.client.kv.compact({ revision: target.toString(), physical: false }).catch((err: Error) => {
      if (!isCompacted(err)) throw err;
    });
  }

  async reserve(key: string, value: string): Promise<boolean> {
    const result = await this.client.if(key, 'Create', '==', 0).then(this.client.put(key).value(value)).commit();
    return result.succeeded;
  }

  async release(key: string): Promise<void> {
    await this.client.delete().key(key).exec();
  }

  async listRaw(prefix: string): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.client.getAll().prefix(prefix).strings()));
  }

  async healthy(): Promise<boolean> {
    try {
      await this.client.get('/registry/__health__').exec();
      return true;
    } catch {
      return false;
    }
  }

  isUnavailable(err: unknown): boolean {
    const name = (err as Error)?.constructor?.name ?? '';
    // BrokenCircuitError: etcd3's per-host circuit breaker refuses calls for 5 s after 3 failures in a row.
    return (
      /GRPC(Unavailable|ConnectFailed|DeadlineExceeded)Error|ClientRuntimeError|BrokenCircuitError/.test(name) ||
      /ECONNREFUSED|No connection established|unavailable/i.test(String((err as Error)?.message ?? ''))
    );
  }

  close(): void {
    this.client.close();
  }
}
