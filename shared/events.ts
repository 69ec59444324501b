// Recording core/v1 Events about objects (what `kubectl describe` shows at the bottom). A repeat of the
// same event within ten minutes bumps the count of the existing Event instead of creating another.
import { randomBytes } from 'node:crypto';
import type { Event } from './api/core';
import type { KubeObject } from './api/meta';
import { rfc3339 } from './api/meta';
import { Events, apiVersionOf, resourceForKind } from './api/resources';
import type { Client } from './client';
import { Clock, realClock } from './clock';
import type { Logger } from './log';
import { newLogger } from './log';

const REPEAT_WINDOW_MS = 10 * 60 * 1000;
const MAX_REMEMBERED = 4096;

interface Recorded {
  namespace: string;
  name: string;
  count: number;
  at: number;
  /** Settles once the Event exists, so repeats never race its creation. */
  created: Promise<void>;
}

export class EventRecorder {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly recent = new Map<string, Recorded>();

  constructor(
    private readonly client: Client,
    private readonly source: { component: string; host?: string },
    opts: { clock?: Clock; logger?: Logger } = {},
  ) {
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? newLogger(source.component)).child({ recorder: 'events' });
  }

  /** Records an event; never throws (failures are logged). */
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    void this.record(obj, type, reason, message).catch((err) => this.log.warn({ err, reason }, 'could not record event'));
  }

  private async record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const events = this.client.resource<Event>(Events);
    const now = this.clock.now();
    const key = `${obj.metadata.uid}|${type}|${reason}|${message}`;
    const seen = this.recent.get(key);
    const timestamp = rfc3339(new Date(now));
    if (seen && now - seen.at < REPEAT_WINDOW_MS) {
      seen.count++;
      seen.at = now;
      try {
        await seen.created;
        await events.patch(seen.namespace, seen.name, { count: seen.count, lastTimestamp: timestamp });
        return;
      } catch {
        this.recent.delete(key); // gone (namespace deleted, expired): create a new one
      }
    }
    const namespace = obj.metadata.namespace ?? 'default';
    const name = `${obj.metadata.name}.${randomBytes(8).toString('hex')}`;
    const kind = obj.kind ?? '';
    const resource = resourceForKind(kind);
    const event: Event = {
      metadata: { name, namespace },
      involvedObject: {
        kind,
        apiVersion: obj.apiVersion ?? (resource ? apiVersionOf(resource) : 'v1'),
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      type,
      reason,
      message,
      source: { component: this.source.component, ...(this.source.host ? { host: this.source.host } : {}) },
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      eventTime: null,
      count: 1,
    };
    const created = events.create(event).then(() => undefined);
    if (this.recent.size >= MAX_REMEMBERED) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(key, { namespace, name, count: 1, at: now, created });
    await created;
  }
}
