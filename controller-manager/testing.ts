// Test fixtures for controllers: informers whose caches are filled from fixed objects (the watch never
// delivers anything), so a test can fill caches, call sync(key) and look at the recorded actions.
import type { KubeObject, WatchEvent } from '../shared/api/meta';
import type { ResourceInfo } from '../shared/api/resources';
import { Client, RequestOptions, ResourceClient } from '../shared/client';
import { notFound } from '../shared/errors';
import { FakeClock } from '../shared/clock';
import type { EventRecorder } from '../shared/events';
import { SharedInformerFactory } from '../shared/informer';
import { newLogger } from '../shared/log';

/** Fake informers, and `deliver` to send one watch event (an object needs a new resourceVersion to count as changed). */
export type FakeInformers = SharedInformerFactory & {
  deliver(plural: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void;
};

export function fakeInformers(objects: Partial<Record<string, KubeObject[]>>): FakeInformers {
  const watchers = new Map<string, (event: WatchEvent<KubeObject>) => void>();
  const client = {
    resource: (info: ResourceInfo) => ({
      list: async () => ({
        apiVersion: 'v1',
        kind: 'List',
        metadata: { resourceVersion: '1' },
        items: structuredClone(objects[info.plural] ?? []),
      }),
      watch: (_ns: unknown, _opts: unknown, onEvent: (event: WatchEvent<KubeObject>) => void) => {
        watchers.set(info.plural, onEvent);
        return new Promise<void>(() => undefined);
      },
    }),
  };
  const factory = new SharedInformerFactory(client as unknown as Client, { logger: newLogger('test').child({ level: 'silent' }) });
  return Object.assign(factory, {
    deliver: (plural: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject) => {
      const onEvent = watchers.get(plural);
      if (!onEvent) throw new Error(`no informer watches ${plural}`);
      onEvent({ type, object: structuredClone(obj) });
    },
  });
}

export async function synced(informers: SharedInformerFactory): Promise<void> {
  informers.start();
  await informers.waitForSync();
}

/** An EventRecorder that keeps `reason: message` lines. */
export function fakeRecorder(): EventRecorder & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    event: (_obj: KubeObject, _type: string, reason: string, message: string) => void events.push(`${reason}: ${message}`),
  } as unknown as EventRecorder & { events: string[] };
}

export const clockAt = (iso: string) => new FakeClock(Date.parse(iso));

/** One request a controller made through FakeAPI: `DELETE /api/v1/namespaces/default/pods/web-1` and its body. */
export interface RecordedRequest {
  call: string;
  body?: unknown;
}

/**
 * A scripted apiserver for controllers that write through `client.request` or `client.resource()`:
 * answers GETs from `objects` (path -> object; missing paths are 404), accepts every write and records it.
 */
export class FakeAPI {
  readonly requests: RecordedRequest[] = [];

  constructor(readonly objects: Record<string, unknown> = {}) {}

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    if (method === 'GET') {
      if (!(path in this.objects)) throw notFound('', path.split('/').pop()!);
      return structuredClone(this.objects[path]) as T;
    }
    this.requests.push({ call: `${method} ${path}`, ...(opts.body === undefined ? {} : { body: opts.body }) });
    return (opts.body ?? {}) as T;
  }

  resource<T extends KubeObject>(info: ResourceInfo): ResourceClient<T> {
    return new ResourceClient<T>(this as unknown as Client, info);
  }

  /** The recorded calls, without bodies. */
  calls(): string[] {
    return this.requests.map((r) => r.call);
  }
}
