import { EventEmitter } from 'node:events';
import pino from 'pino';
import { FakeClock } from '../../shared/clock';
import { Child, restartDelay, Supervised } from './supervisor';

/** A process that exits when told to (or when killed), and records the signals it got. */
class FakeChild extends EventEmitter {
  readonly signals: string[] = [];
  constructor(readonly pid: number) {
    super();
  }
  kill(signal?: NodeJS.Signals | number): boolean {
    this.signals.push(String(signal));
    if (signal === 'SIGKILL' || (this.listenerCount('exit') && signal === 'SIGTERM' && !this.ignoreTerm)) this.exit(null, String(signal));
    return true;
  }
  ignoreTerm = false;
  exit(code: number | null, signal: string | null = null): void {
    this.emit('exit', code, signal);
  }
}

function supervised(clock: FakeClock) {
  const children: FakeChild[] = [];
  const started: number[] = [];
  const s = new Supervised(
    'scheduler',
    () => {
      const c = new FakeChild(100 + children.length);
      children.push(c);
      return c as unknown as Child;
    },
    clock,
    pino({ level: 'silent' }),
    (c) => started.push(c.pid!),
  );
  return { s, children, started };
}

describe('restartDelay', () => {
  it('starts at 1 s, doubles with each quick exit up to 30 s, and starts afresh after a minute of running', () => {
    const delays: number[] = [];
    let d: number | undefined;
    for (let i = 0; i < 7; i++) delays.push((d = restartDelay(d, 5_000)));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(restartDelay(30_000, 60_000)).toBe(1000);
    expect(restartDelay(30_000, 59_999)).toBe(30000);
  });
});

describe('Supervised', () => {
  it('starts a process that exited again after the back-off, with a new pid', () => {
    const clock = new FakeClock();
    const { s, children, started } = supervised(clock);
    s.start();
    expect(started).toEqual([100]);
    children[0].exit(1);
    expect(s.pid).toBeUndefined();
    clock.step(999);
    expect(started).toEqual([100]);
    clock.step(1);
    expect(started).toEqual([100, 101]);
    expect(s.pid).toBe(101);
  });

  it('waits longer after each quick exit and 1 s again once a process ran for a minute', () => {
    const clock = new FakeClock();
    const { s, children, started } = supervised(clock);
    s.start();
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      children[children.length - 1].exit(1);
      const before = clock.now();
      while (started.length === i + 1) clock.step(100);
      waits.push(clock.now() - before);
    }
    expect(waits).toEqual([1000, 2000, 4000]);
    clock.step(60_000);
    children[children.length - 1].exit(null, 'SIGKILL');
    clock.step(1000);
    expect(started).toHaveLength(5);
  });

  it('stops for good: SIGTERM, no restart, and SIGKILL when the process does not exit in time', async () => {
    const clock = new FakeClock();
    const { s, children, started } = supervised(clock);
    s.start();
    children[0].ignoreTerm = true;
    const stopped = s.stop(5000);
    expect(children[0].signals).toEqual(['SIGTERM']);
    clock.step(5000);
    await stopped;
    expect(children[0].signals).toEqual(['SIGTERM', 'SIGKILL']);
    clock.step(60_000);
    expect(started).toEqual([100]);
  });

  it('does not start a process whose restart was pending when the cluster stops', async () => {
    const clock = new FakeClock();
    const { s, children, started } = supervised(clock);
    s.start();
    children[0].exit(1);
    await s.stop(5000);
    clock.step(60_000);
    expect(started).toEqual([100]);
  });
});
