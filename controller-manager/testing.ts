// Test fixtures for controllers: informers whose caches are filled from fixed objects (the watch never
// delivers anything), so a test can fill caches, call sync(key) and look at the recorded actions.
import type { KubeObject } from '../shared/api/meta';
import type { ResourceInfo } from '../shared/api/resources';
import type { Client } from '../shared/client';
import { FakeClock } from '../shared/clock';
import type { EventRecorder } from '../shared/events';
import { SharedInformerFactory } from '../shared/informer';
import { newLogger } from '../shared/log';

export function fakeInformers(objects: Partial<Record<string, KubeObject[]>>): SharedInformerFactory {
  const client = {
    resource: (info: ResourceInfo) => ({
      list: async () => ({
        apiVersion: 'v1',
        kind: 'List',
        metadata: { resourceVersion: '1' },
        items: structuredClone(objects[info.plural] ?? []),
      }),
      watch: () => new Promise<void>(() => undefined),
    }),
  };
  return new SharedInformerFactory(client as unknown as Client, { logger: newLogger('test').child({ level: 'silent' }) });
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
