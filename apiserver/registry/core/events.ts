// Events: what components report about objects (`kubectl describe`, `kubectl get events`). They expire,
// as upstream's event registry has etcd delete them: a lease per TTL window (--event-ttl).
import type { Event } from '../../../shared/api/core';
import { Events } from '../../../shared/api/resources';
import { validateObjectMeta } from '../../../shared/api/validation/meta';
import { age } from '../../printers/age';
import { col, Printer } from '../../printers/table';
import type { Strategy } from '../strategy';

const eventPrinter: Printer<Event> = {
  columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message')],
  cells(ev, now) {
    const o = ev.involvedObject;
    const last = ev.lastTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp ?? undefined;
    return [
      age(last ?? undefined, now),
      ev.type ?? 'Normal',
      ev.reason ?? '',
      `${(o.kind ?? '').toLowerCase()}/${o.name}`,
      ev.message ?? '',
    ];
  },
};

/** `ttlSeconds` 0 keeps events forever. */
export const eventStrategy = (ttlSeconds: number): Strategy<Event> => ({
  resource: Events,
  validate: validateObjectMeta,
  printer: eventPrinter,
  ...(ttlSeconds > 0 ? { ttlSeconds } : {}),
});
