import { kubeletAttributes, kubeletSubresource } from './auth';

describe('kubeletSubresource', () => {
  it.each([
    ['/stats/summary', 'stats'],
    ['/stats', 'stats'],
    ['/metrics', 'metrics'],
    ['/metrics/cadvisor', 'metrics'],
    ['/logs/syslog', 'log'],
    ['/containerLogs/default/web/nginx', 'proxy'],
    ['/statsx', 'proxy'],
    ['/metricsfoo', 'proxy'],
  ])("authorizes %s as nodes/%s, as Kubernetes' kubelet does", (path, subresource) => {
    expect(kubeletSubresource(path)).toBe(subresource);
  });

  it('asks about get on this node', () => {
    expect(kubeletAttributes('node-1', '/metrics')).toEqual({
      resourceAttributes: { verb: 'get', resource: 'nodes', subresource: 'metrics', name: 'node-1' },
    });
  });
});
