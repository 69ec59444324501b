import { FakeClock } from '../shared/clock';
import { SessionTable } from './sessiontable';

function table(max: number, idleMs = 1000) {
  const clock = new FakeClock();
  const closed: string[] = [];
  const sessions = new SessionTable<string>({ max, idleMs, clock, close: (s) => closed.push(s) });
  return { clock, closed, sessions };
}

describe('UDP session table', () => {
  it('is bounded: a new session closes the least recently used one', () => {
    const { closed, sessions } = table(2);
    sessions.add('a', 'A');
    sessions.add('b', 'B');
    expect(sessions.touch('a')).toBe('A');
    sessions.add('c', 'C');
    expect(closed).toEqual(['B']);
    expect([sessions.touch('a'), sessions.touch('b'), sessions.touch('c'), sessions.size]).toEqual(['A', undefined, 'C', 2]);
  });

  it('closes sessions idle for the timeout, and a datagram either way keeps one open', () => {
    const { clock, closed, sessions } = table(10, 1000);
    sessions.add('a', 'A');
    clock.step(400);
    sessions.add('b', 'B');
    clock.step(500);
    sessions.touch('a'); // used at 900
    clock.step(500); // 1400: b (last used at 400) is idle for 1000
    expect(closed).toEqual(['B']);
    clock.step(499);
    expect(closed).toEqual(['B']);
    clock.step(1); // 1900: a, last used at 900
    expect(closed).toEqual(['B', 'A']);
    expect(sessions.size).toBe(0);
  });

  it('lets a late error of a replaced session leave its successor alone, and closes everything on clear', () => {
    const { clock, closed, sessions } = table(10);
    sessions.add('a', 'A1');
    sessions.add('a', 'A2');
    sessions.remove('a', 'A1');
    expect([closed, sessions.touch('a')]).toEqual([['A1'], 'A2']);
    sessions.add('b', 'B');
    sessions.clear();
    expect(closed).toEqual(['A1', 'A2', 'B']);
    clock.step(5000);
    expect(closed).toHaveLength(3);
  });
});
