import { MAX_TIMER_MS, realClock } from './clock';

describe('realClock', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());
  const DAY = 24 * 60 * 60 * 1000;

  it('waits a timeout longer than a Node timer holds (a CronJob run a month away), instead of firing at once', () => {
    const fn = jest.fn();
    realClock.setTimeout(fn, 30 * DAY);
    jest.advanceTimersByTime(1000);
    expect(fn).not.toHaveBeenCalled();
    jest.advanceTimersByTime(MAX_TIMER_MS);
    expect(fn).not.toHaveBeenCalled();
    jest.advanceTimersByTime(30 * DAY - MAX_TIMER_MS - 1000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('clears a long timeout in any of its steps', () => {
    const fn = jest.fn();
    const handle = realClock.setTimeout(fn, 60 * DAY);
    jest.advanceTimersByTime(MAX_TIMER_MS + 1000);
    realClock.clearTimeout(handle);
    jest.advanceTimersByTime(60 * DAY);
    expect(fn).not.toHaveBeenCalled();
  });

  it('fires a short timeout as Node does', () => {
    const fn = jest.fn();
    realClock.setTimeout(fn, 500);
    jest.advanceTimersByTime(499);
    expect(fn).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
