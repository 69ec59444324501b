import { parseSamples } from './promtext';

describe('parseSamples', () => {
  it('reads names, labels (with escapes) and values, skipping comments and other metrics', () => {
    const text = [
      '# HELP kubeproxy_connections_total Connections',
      '# TYPE kubeproxy_connections_total counter',
      'kubeproxy_connections_total{service="default/web:http",endpoint="10.244.0.5:80"} 12',
      'kubeproxy_bytes_total{service="default/web:",endpoint="10.244.0.6:80",direction="to_endpoint"} 3.5e3',
      'process_cpu_seconds_total 4',
      'weird{msg="a \\"quoted\\" \\\\ value"} 1 1700000000',
      '',
    ].join('\n');
    expect(parseSamples(text, new Set(['kubeproxy_connections_total', 'kubeproxy_bytes_total']))).toEqual([
      { name: 'kubeproxy_connections_total', labels: { service: 'default/web:http', endpoint: '10.244.0.5:80' }, value: 12 },
      {
        name: 'kubeproxy_bytes_total',
        labels: { service: 'default/web:', endpoint: '10.244.0.6:80', direction: 'to_endpoint' },
        value: 3500,
      },
    ]);
    expect(parseSamples(text).find((s) => s.name === 'weird')).toEqual({ name: 'weird', labels: { msg: 'a "quoted" \\ value' }, value: 1 });
    expect(parseSamples(text).find((s) => s.name === 'process_cpu_seconds_total')?.value).toBe(4);
  });
});
