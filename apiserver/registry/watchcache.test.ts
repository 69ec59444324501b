import type { KubeObject } from '../../shared/api/meta';
import { newLogger } from '../../shared/log';
import type { StorageEvent } from '../storage/interface';
import { WatchCache, WatchSource } from './watchcache';

/** A source whose watch is driven by the test. */
function fakeSource(revision: string) {
  let emit: (e: StorageEvent) => void = () => undefined;
  let fail: (err: Error) => void = () => undefined;
  const source: WatchSource = {
    currentRevision: async () => revision,
    watch: async (_rv, onEvent, onError) => {
      emit = onEvent;
      fail = onError;
    },
  };
  return { source, emit: (e: StorageEvent) => emit(e), fail: (err: Error) => fail(err) };
}

const event = (rv: number, namespace = 'a', type: StorageEvent['type'] = 'ADDED'): StorageEvent => ({
  type,
  object: { metadata: { name: `o${rv}`, namespace, resourceVersion: String(rv) } } as KubeObject,
});
const names = (events: StorageEvent[]) => events.map((e) => e.object.metadata.name);
const settle = () => new Promise((r) => setImmediate(r));

describe('WatchCache', () => {
  it('serves watches from memory once watching: replays the window after the version, then live events, by namespace', async () => {
    const fake = fakeSource('10');
    const cache = new WatchCache(fake.source, newLogger('test'));
    const abort = new AbortController();
    expect(
      cache.subscribe(
        undefined,
        '10',
        () => undefined,
        () => undefined,
        abort.signal,
      ),
    ).toBe(false); // not watching yet
    await settle();
    fake.emit(event(11));
    fake.emit(event(12, 'b'));
    const all: StorageEvent[] = [];
    const inA: StorageEvent[] = [];
    expect(
      cache.subscribe(
        undefined,
        '11',
        (e) => all.push(e),
        () => undefined,
        abort.signal,
      ),
    ).toBe(true);
    expect(
      cache.subscribe(
        'a',
        '10',
        (e) => inA.push(e),
        () => undefined,
        abort.signal,
      ),
    ).toBe(true);
    fake.emit(event(13));
    expect(names(all)).toEqual(['o12', 'o13']);
    expect(names(inA)).toEqual(['o11', 'o13']);
    expect(
      cache.subscribe(
        undefined,
        '9',
        () => undefined,
        () => undefined,
        abort.signal,
      ),
    ).toBe(false); // before the cache began
    abort.abort();
    cache.stop();
  });

  it('tells every watcher when its etcd watch fails, and stops serving until it watches again', async () => {
    const fake = fakeSource('5');
    const cache = new WatchCache(fake.source, newLogger('test'));
    cache.subscribe(
      undefined,
      '5',
      () => undefined,
      () => undefined,
      new AbortController().signal,
    );
    await settle();
    const errors: Error[] = [];
    expect(
      cache.subscribe(
        undefined,
        '5',
        () => undefined,
        (err) => errors.push(err),
        new AbortController().signal,
      ),
    ).toBe(true);
    fake.fail(new Error('etcd went away'));
    await settle();
    expect(errors.map((e) => e.message)).toEqual(['etcd went away']);
    expect(
      cache.subscribe(
        undefined,
        '5',
        () => undefined,
        () => undefined,
        new AbortController().signal,
      ),
    ).toBe(false);
    cache.stop();
  });
});
