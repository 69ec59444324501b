import { isEnabled } from './controllercontext';

const on = { name: 'replicaset', start: () => undefined };
const off = { name: 'tokencleaner', disabledByDefault: true, start: () => undefined };

describe('--controllers', () => {
  it('runs those on by default with *', () => {
    expect(isEnabled('*', on)).toBe(true);
    expect(isEnabled('*', off)).toBe(false);
  });

  it('names one on or off, whatever * says', () => {
    expect(isEnabled('*,tokencleaner', off)).toBe(true);
    expect(isEnabled('*,-replicaset', on)).toBe(false);
    expect(isEnabled('replicaset', on)).toBe(true);
    expect(isEnabled('deployment', on)).toBe(false);
  });
});
