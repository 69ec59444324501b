import { FakeClock } from '../shared/clock';
import { newLogger } from '../shared/log';
import { leaseHealth } from './components';
import { ProxyMetricsScraper, trafficViews } from './proxymetrics';
import { DashboardState } from './state';

const text = (connections: number) =>
  [
    `kubeproxy_connections_total{service="default/web:http",endpoint="10.244.0.5:80"} ${connections}`,
    'kubeproxy_active_connections{service="default/web:http",endpoint="10.244.0.5:80"} 1',
    'kubeproxy_bytes_total{service="default/web:http",endpoint="10.244.0.5:80",direction="to_endpoint"} 70',
    'kubeproxy_bytes_total{service="default/web:http",endpoint="10.244.0.5:80",direction="from_endpoint"} 300',
  ].join('\n');

describe("kube-proxy's counters per endpoint", () => {
  it('sums every kube-proxy by service port and endpoint', () => {
    expect([...trafficViews([text(2), text(3)]).values()]).toEqual([
      {
        key: 'default/web:http|10.244.0.5:80',
        service: 'default/web:http',
        endpoint: '10.244.0.5:80',
        connections: 5,
        active: 2,
        bytesIn: 140,
        bytesOut: 600,
      },
    ]);
  });

  it('puts only the counters that moved, and says which kube-proxy does not answer', async () => {
    const clock = new FakeClock();
    const state = new DashboardState(100, clock);
    const answers = new Map([
      ['http://a:10249/metrics', text(1)],
      ['http://b:10249/metrics', ''],
    ]);
    const scraper = new ProxyMetricsScraper([...answers.keys()], state, clock, newLogger('test'), 1000, async (url) => {
      const answer = answers.get(url);
      if (!answer) throw new Error('connect ECONNREFUSED');
      return answer;
    });
    const puts = jest.spyOn(state, 'put');
    await scraper.scrape();
    expect(state.get('traffic', 'default/web:http|10.244.0.5:80')?.connections).toBe(1);
    expect(state.get('components', 'kube-proxy b:10249')).toMatchObject({
      healthy: false,
      message: 'http://b:10249/metrics: connect ECONNREFUSED',
    });
    puts.mockClear();
    await scraper.scrape();
    expect(puts.mock.calls.filter(([kind]) => kind === 'traffic')).toHaveLength(0);
    answers.set('http://a:10249/metrics', text(4));
    await scraper.scrape();
    expect(state.get('traffic', 'default/web:http|10.244.0.5:80')?.connections).toBe(4);
    scraper.stop();
  });
});

describe('leader health from Leases', () => {
  it('is healthy while the holder renews within the lease duration', () => {
    const clock = new FakeClock(Date.parse('2026-12-02T07:00:00Z'));
    const state = new DashboardState(100, clock);
    expect(leaseHealth(state, 'kube-scheduler', clock.now())).toMatchObject({ healthy: false });
    state.put('leases', {
      key: 'kube-system/kube-scheduler',
      namespace: 'kube-system',
      name: 'kube-scheduler',
      holder: 'host_1',
      renewTime: '2026-12-02T06:59:58.000000Z',
      durationSeconds: 15,
    });
    expect(leaseHealth(state, 'kube-scheduler', clock.now())).toEqual({
      key: 'kube-scheduler',
      name: 'kube-scheduler',
      healthy: true,
      message: 'leader host_1, renewed 2s ago',
    });
    expect(leaseHealth(state, 'kube-scheduler', clock.now() + 20_000)).toMatchObject({
      healthy: false,
      message: expect.stringContaining('has not renewed for 22s'),
    });
  });
});
