// ControllerExpectations (client-go): before creating or deleting N pods, a controller records that it
// expects to see N adds or deletes; until the informer has shown them (or 5 minutes passed), the
// controller does not act on a cache that may still be missing its own writes.
import type { Clock } from '../shared/clock';

const TTL_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  at: number;
}

export class Expectations {
  private readonly entries = new Map<string, Expectation>();

  constructor(private readonly clock: Clock) {}

  expect(key: string, add: number, del: number): void {
    this.entries.set(key, { add, del, at: this.clock.now() });
  }

  observedAdd(key: string): void {
    const e = this.entries.get(key);
    if (e) e.add--;
  }

  observedDelete(key: string): void {
    const e = this.entries.get(key);
    if (e) e.del--;
  }

  /** Lowers expectations for writes that failed (they will never be observed). */
  lower(key: string, add: number, del: number): void {
    const e = this.entries.get(key);
    if (e) {
      e.add -= add;
      e.del -= del;
    }
  }

  satisfied(key: string): boolean {
    const e = this.entries.get(key);
    return !e || (e.add <= 0 && e.del <= 0) || this.clock.now() - e.at > TTL_MS;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
