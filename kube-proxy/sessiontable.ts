// The UDP proxy's session table: at most `max` sessions, each closed after `idleMs` without a datagram
// either way. Entries are kept in order of last use (a Map re-inserted on every use), so the session to
// evict when the table is full and the next one to expire are both simply the first. One timer, from the
// injected clock, wakes up when the least recently used session falls due.
//
// Not lru-cache: its TTLs read its own time source (and treat a start time of 0 as "never expires") and
// purge with real timers, so idle expiry could not follow the process's Clock; the Map does both here.
import type { Clock } from '../shared/clock';

export interface SessionTableOptions<S> {
  max: number;
  idleMs: number;
  clock: Clock;
  /** Called once for every session that leaves the table: idle, evicted, replaced, removed or cleared. */
  close(session: S): void;
}

interface Entry<S> {
  session: S;
  lastUsedMs: number;
}

export class SessionTable<S> {
  private readonly entries = new Map<string, Entry<S>>();
  private timer: unknown;

  constructor(private readonly opts: SessionTableOptions<S>) {}

  get size(): number {
    return this.entries.size;
  }

  /** The session of `key`, marked as used now; undefined when there is none. */
  touch(key: string): S | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    entry.lastUsedMs = this.opts.clock.now();
    this.entries.set(key, entry);
    return entry.session;
  }

  /** Adds a session, closing the least recently used one first when the table is full. */
  add(key: string, session: S): void {
    this.remove(key);
    if (this.entries.size >= this.opts.max) this.remove(this.entries.keys().next().value!);
    this.entries.set(key, { session, lastUsedMs: this.opts.clock.now() });
    this.schedule();
  }

  /** Closes the session of `key`; with `only`, just when it is still that session (not a newer one). */
  remove(key: string, only?: S): void {
    const entry = this.entries.get(key);
    if (!entry || (only !== undefined && entry.session !== only)) return;
    this.entries.delete(key);
    this.opts.close(entry.session);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.remove(key);
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const oldest = this.entries.values().next().value;
    if (this.timer !== undefined || !oldest) return;
    const dueIn = oldest.lastUsedMs + this.opts.idleMs - this.opts.clock.now();
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      this.expire();
    }, dueIn);
  }

  private expire(): void {
    const now = this.opts.clock.now();
    for (const [key, entry] of this.entries) {
      if (now - entry.lastUsedMs < this.opts.idleMs) break;
      this.remove(key);
    }
    this.schedule();
  }
}
