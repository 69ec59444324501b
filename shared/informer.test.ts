import type { ConfigMap } from './api/core';
import type { KubeList, WatchEvent } from './api/meta';
import { ConfigMaps } from './api/resources';
import { FakeClock } from './clock';
import type { ListOptions } from './client';
import { gone } from './errors';
import { Informer, ListerWatcher, stripManagedFields } from './informer';
import { newLogger } from './log';
import { parseSelector } from './labels';

const cm = (name: string, rv: number, labels: Record<string, string> = {}): ConfigMap => ({
  metadata: { name, namespace: 'default', resourceVersion: String(rv), labels },
});
const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** A scripted apiserver: lists return `state`; each watch call takes the next script step. */
class FakeSource implements ListerWatcher<ConfigMap> {
  state: ConfigMap[] = [];
  rv = 1;
  lists = 0;
  watches: ListOptions[] = [];
  private pending: { emit: (e: WatchEvent<ConfigMap>) => void; end: (err?: unknown) => void }[] = [];

  async list(): Promise<KubeList<ConfigMap>> {
    this.lists++;
    return { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: String(this.rv) }, items: structuredClone(this.state) };
  }

  watch(_ns: string | undefined, opts: ListOptions, onEvent: (e: WatchEvent<ConfigMap>) => void): Promise<void> {
    this.watches.push(opts);
    return new Promise((resolve, reject) => this.pending.push({ emit: onEvent, end: (err) => (err ? reject(err) : resolve()) }));
  }

  get current() {
    return this.pending[this.pending.length - 1];
  }
}

function setup() {
  const source = new FakeSource();
  const clock = new FakeClock();
  const informer = new Informer<ConfigMap>(source, ConfigMaps, { clock, logger: newLogger('test').child({ level: 'silent' }) });
  const events: string[] = [];
  informer.addEventHandler({
    add: (o) => events.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    update: (a, b) => events.push(`update ${a.metadata.name}@${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
    delete: (o) => events.push(`delete ${o.metadata.name}`),
  });
  return { source, clock, informer, events };
}

describe('Informer', () => {
  it('lists, then watches from the list resourceVersion, calling handlers with old and new objects', async () => {
    const { source, informer, events } = setup();
    source.state = [cm('a', 5)];
    source.rv = 7;
    informer.run();
    await informer.waitForSync();
    await flush();
    expect(source.watches[0].resourceVersion).toBe('7');
    source.current.emit({ type: 'ADDED', object: cm('b', 8) });
    source.current.emit({ type: 'MODIFIED', object: cm('a', 9) });
    source.current.emit({ type: 'MODIFIED', object: cm('a', 9) }); // replay: skipped
    source.current.emit({ type: 'DELETED', object: cm('b', 10) });
    expect(events).toEqual(['add a@5', 'add b@8', 'update a@5->9', 'delete b']);
    expect(informer.lister.list().map((o) => o.metadata.name)).toEqual(['a']);
    informer.stop();
  });

  it('resumes a finished watch from the last resourceVersion seen, bookmarks included', async () => {
    const { source, informer } = setup();
    informer.run();
    await informer.waitForSync();
    await flush();
    source.current.emit({ type: 'ADDED', object: cm('a', 3) });
    source.current.emit({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '12' } } as ConfigMap });
    source.current.end();
    await flush();
    expect(source.lists).toBe(1);
    expect(source.watches.map((w) => w.resourceVersion)).toEqual(['1', '12']);
    informer.stop();
  });

  it('relists on 410 Gone and reports what changed meanwhile', async () => {
    const { source, informer, events } = setup();
    source.state = [cm('a', 2), cm('b', 3)];
    informer.run();
    await informer.waitForSync();
    await flush();
    source.state = [cm('a', 20), cm('c', 21)];
    source.rv = 22;
    source.current.emit({ type: 'ERROR', object: gone('too old resource version: 3 (20)').status as unknown as ConfigMap });
    source.current.end();
    await flush();
    expect(source.lists).toBe(2);
    expect(events).toEqual(['add a@2', 'add b@3', 'update a@2->20', 'add c@21', 'delete b']);
    expect(source.watches[1].resourceVersion).toBe('22');
    informer.stop();
  });

  it('backs off on errors using the clock', async () => {
    const { source, clock, informer } = setup();
    informer.run();
    await informer.waitForSync();
    await flush();
    source.current.end(new Error('connection reset'));
    await flush();
    expect(source.watches).toHaveLength(1);
    clock.step(200);
    await flush();
    expect(source.watches).toHaveLength(2);
    informer.stop();
  });

  it('doubles its backoff while watches fail, and starts again at 200 ms after a watch that delivered an event', async () => {
    const { source, clock, informer } = setup();
    informer.run();
    await informer.waitForSync();
    await flush();
    /** Ends the current watch with an error and returns how many ms later the informer watched again. */
    const failAndTimeRetry = async (): Promise<number> => {
      const before = source.watches.length;
      source.current.end(new Error('connection reset'));
      await flush();
      for (let waited = 100; ; waited += 100) {
        clock.step(100);
        await flush();
        if (source.watches.length > before) return waited;
      }
    };
    expect([await failAndTimeRetry(), await failAndTimeRetry(), await failAndTimeRetry()]).toEqual([200, 400, 800]);
    source.current.emit({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '5' } } as ConfigMap });
    expect(await failAndTimeRetry()).toBe(200);
    informer.stop();
  });

  it('keeps indexes consistent and selects by label', async () => {
    const { source, informer } = setup();
    informer.addIndexer('app', (o) => (o.metadata.labels?.app ? [o.metadata.labels.app] : []));
    source.state = [cm('a', 2, { app: 'web' }), cm('b', 3, { app: 'db' })];
    informer.run();
    await informer.waitForSync();
    await flush();
    source.current.emit({ type: 'MODIFIED', object: cm('b', 4, { app: 'web' }) });
    expect(
      informer.lister
        .byIndex('app', 'web')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(informer.lister.byIndex('app', 'db')).toEqual([]);
    expect(informer.lister.list('default', parseSelector('app=web'))).toHaveLength(2);
    expect(informer.lister.get('default', 'a')?.metadata.resourceVersion).toBe('2');
    informer.stop();
  });

  it('replays existing objects to handlers added after sync', async () => {
    const { source, informer } = setup();
    source.state = [cm('a', 2)];
    informer.run();
    await informer.waitForSync();
    const late: string[] = [];
    informer.addEventHandler({ add: (o) => late.push(o.metadata.name!) });
    expect(late).toEqual(['a']);
    informer.stop();
  });

  it('isolates handlers: one that throws neither skips the others nor ends the watch', async () => {
    const { source, informer, events } = setup();
    informer.run();
    await informer.waitForSync();
    informer.addEventHandler({
      add: () => {
        throw new Error('handler bug');
      },
    });
    await flush();
    source.current.emit({ type: 'ADDED', object: cm('a', 3) });
    source.current.emit({ type: 'ADDED', object: cm('b', 4) });
    await flush();
    expect(events).toEqual(['add a@3', 'add b@4']);
    expect([source.lists, source.watches.length]).toEqual([1, 1]);
    informer.stop();
  });

  it('caches listed and watched objects through its transform: stripManagedFields drops managedFields only', async () => {
    const source = new FakeSource();
    const managed = (o: ConfigMap) => {
      (o.metadata as { managedFields?: unknown }).managedFields = [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:data': {} } }];
      return o;
    };
    source.state = [managed(cm('a', 2))];
    const informer = new Informer<ConfigMap>(source, ConfigMaps, {
      transform: stripManagedFields,
      logger: newLogger('test').child({ level: 'silent' }),
    });
    const handed: ConfigMap[] = [];
    informer.addEventHandler({ add: (o) => handed.push(o) });
    informer.run();
    await informer.waitForSync();
    await flush();
    const watched = managed(cm('b', 3));
    source.current.emit({ type: 'ADDED', object: watched });
    await flush();
    expect(handed.map((o) => o.metadata)).toEqual([cm('a', 2).metadata, cm('b', 3).metadata]);
    expect(informer.lister.get('default', 'b')).toEqual(cm('b', 3));
    expect(watched.metadata).toHaveProperty('managedFields'); // the received object itself is not changed
    informer.stop();
  });

  it('stripManagedFields returns an object without managedFields as it is', () => {
    const plain = cm('a', 1);
    expect(stripManagedFields(plain)).toBe(plain);
  });
});
