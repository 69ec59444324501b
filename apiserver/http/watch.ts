// Serving a watch: a chunked HTTP response with one JSON WatchEvent per line, flushed at once (kubectl's
// informers wait for the headers). With no resourceVersion (or "0") the current objects come first as
// ADDED events. A compacted resourceVersion ends the stream with an ERROR event carrying 410 Expired.
import type { Response } from 'express';
import type { KubeObject, WatchEventType } from '../../shared/api/meta';
import { toStatus } from '../../shared/errors';
import type { Store } from '../registry/store';
import type { Predicate } from '../registry/selection';

export interface WatchRequest {
  namespace?: string;
  resourceVersion?: string;
  predicate: Predicate;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  /** Turns an object into what goes on the wire (a Table row, or the object itself). */
  encode: (obj: KubeObject) => unknown;
}

const BOOKMARK_INTERVAL_MS = 30_000;

/**
 * The wire line of an event object. The watch cache hands the same object to every watcher, so it is
 * encoded once, not once per watcher (an object always belongs to one event type).
 */
const lines = new WeakMap<object, string>();
function line(type: WatchEventType, object: unknown): string {
  if (object === null || typeof object !== 'object') return `${JSON.stringify({ type, object })}\n`;
  let text = lines.get(object);
  if (text === undefined) lines.set(object, (text = `${JSON.stringify({ type, object })}\n`));
  return text;
}

export async function serveWatch(res: Response, store: Store, w: WatchRequest): Promise<void> {
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  let lastRV = w.resourceVersion;
  const send = (type: WatchEventType, object: unknown) => {
    if (!abort.signal.aborted) res.write(line(type, object));
  };
  const end = () => {
    abort.abort();
    res.end();
  };

  try {
    if (!lastRV || lastRV === '0') {
      const list = await store.list(w.namespace, w.predicate);
      for (const obj of list.items) send('ADDED', w.encode(obj));
      lastRV = list.resourceVersion;
    }
    const timers: NodeJS.Timeout[] = [];
    if (w.timeoutSeconds && w.timeoutSeconds > 0) timers.push(setTimeout(end, w.timeoutSeconds * 1000));
    if (w.allowBookmarks) {
      timers.push(
        setInterval(
          () =>
            send('BOOKMARK', {
              kind: store.resource.kind,
              apiVersion: store.resource.group ? `${store.resource.group}/${store.resource.version}` : 'v1',
              metadata: { resourceVersion: lastRV },
            }),
          BOOKMARK_INTERVAL_MS,
        ),
      );
    }
    abort.signal.addEventListener('abort', () => timers.forEach((t) => clearTimeout(t)), { once: true });
    await store.watch(
      w.namespace,
      lastRV,
      (event) => {
        lastRV = event.object.metadata.resourceVersion;
        if (w.predicate(event.object)) send(event.type, w.encode(event.object));
      },
      (err) => {
        send('ERROR', toStatus(err));
        end();
      },
      abort.signal,
    );
  } catch (err) {
    send('ERROR', toStatus(err));
    end();
  }
}
