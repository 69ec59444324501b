import { FakeClock } from './clock';
import { failoverOf, serversOf } from './client';
import { FAILED_SERVER_HOLD_MS, LoadBalancer } from './loadbalancer';

const [A, B, C] = ['https://10.0.0.1:6443', 'https://10.0.0.2:6443', 'https://10.0.0.3:6443'];

describe('LoadBalancer', () => {
  it('stays on the first server while it answers', () => {
    const lb = new LoadBalancer([A, B], new FakeClock());
    expect([lb.pick(), lb.pick(), lb.pick()]).toEqual([A, A, A]);
  });

  it('moves to the next server when one fails, and stays there once that one answers', () => {
    const clock = new FakeClock();
    const lb = new LoadBalancer([A, B, C], clock);
    lb.failed(lb.pick());
    expect(lb.pick()).toBe(B);
    lb.succeeded(B);
    clock.step(FAILED_SERVER_HOLD_MS * 2); // A would be usable again: B is kept all the same
    expect(lb.pick()).toBe(B);
  });

  it('passes over a failed server for a while, then tries it again when the others fail', () => {
    const clock = new FakeClock();
    const lb = new LoadBalancer([A, B, C], clock);
    lb.failed(A);
    expect(lb.pick()).toBe(B);
    lb.failed(B);
    expect(lb.pick()).toBe(C);
    clock.step(FAILED_SERVER_HOLD_MS);
    lb.failed(C);
    expect(lb.pick()).toBe(A); // held long enough: the next in order after C
  });

  it('when every server failed, tries the one that failed longest ago', () => {
    const clock = new FakeClock();
    const lb = new LoadBalancer([A, B, C], clock);
    lb.failed(B);
    clock.step(1000);
    lb.failed(C);
    clock.step(1000);
    lb.failed(A);
    expect(lb.pick()).toBe(B);
  });

  it('balances over the servers the endpoints name, keeping the configured one as a fallback', () => {
    const clock = new FakeClock();
    const lb = new LoadBalancer([A], clock);
    lb.setDiscovered([B, C]);
    expect(lb.servers).toEqual([B, C, A]);
    expect(lb.pick()).toBe(A); // the current one is still listed: no move
    lb.failed(A);
    expect(lb.pick()).toBe(B);
    lb.setDiscovered([C]); // B left the endpoints (it stopped)
    expect(lb.pick()).toBe(C);
    expect(lb.servers).toEqual([C, A]);
  });
});

describe('failoverOf', () => {
  const err = (code: string) => Object.assign(new Error(code), { code });

  it('sends any request elsewhere when nothing reached the server', () => {
    for (const code of ['ECONNREFUSED', 'EHOSTUNREACH', 'ETIMEDOUT']) {
      expect(failoverOf('POST', err(code))).toBe('retry');
      expect(failoverOf('GET', err(code))).toBe('retry');
    }
  });

  it('repeats only reads on a connection that broke after the request may have reached the server', () => {
    expect(failoverOf('GET', err('ECONNRESET'))).toBe('retry');
    expect(failoverOf('POST', err('ECONNRESET'))).toBe('fail');
    expect(failoverOf('DELETE', new Error('socket hang up'))).toBe('fail');
    expect(failoverOf('PUT', err('ERESPONSETIMEOUT'))).toBe('fail');
  });

  it('leaves the answers of a server alone (a Status is no connection failure)', () => {
    expect(failoverOf('GET', new Error('Forbidden'))).toBeUndefined();
  });
});

it('serversOf names every address and port of the kubernetes Endpoints', () => {
  expect(
    serversOf({
      metadata: { name: 'kubernetes' },
      subsets: [
        { addresses: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }], ports: [{ name: 'https', port: 6443 }] },
        { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'https', port: 6444 }] },
      ],
    }),
  ).toEqual(['https://10.0.0.1:6443', 'https://[fd00::1]:6443', 'https://10.0.0.2:6444']);
});
