import { kubeletAttributes, kubeletSubresource } from './auth';

describe('kubeletSubresource', () => {
  it.each([
    ['/stats/summary', 'stats'],
    ['/stats', 'stats'],
    ['/metrics', 'metrics'],
    ['/metrics/cadvisor', 'metrics'],
    ['/logs/syslog', 'log'],
    ['/containerLogs/default/web/nginx', 'proxy'],
    ['/exec/default/web/nginx', 'proxy'],
    ['/attach/default/web/nginx', 'proxy'],
    ['/portForward/default/web', 'proxy'],
    ['/statsx', 'proxy'],
    ['/metricsfoo', 'proxy'],
  ])("authorizes %s as nodes/%s, as Kubernetes' kubelet does", (path, subresource) => {
    expect(kubeletSubresource(path)).toBe(subresource);
  });

  it('asks about this node, with the verb of the method', () => {
    expect(kubeletAttributes('node-1', 'GET', '/metrics')).toEqual({
      resourceAttributes: { verb: 'get', resource: 'nodes', subresource: 'metrics', name: 'node-1' },
    });
    expect(kubeletAttributes('node-1', 'DELETE', '/pods')).toEqual({
      resourceAttributes: { verb: 'delete', resource: 'nodes', subresource: 'proxy', name: 'node-1' },
    });
  });

  it('asks about create for exec, attach and port-forward, even for their WebSocket GET', () => {
    for (const path of ['/exec/default/web/main', '/attach/default/web/main', '/portForward/default/web']) {
      for (const method of ['GET', 'POST']) {
        expect(kubeletAttributes('node-1', method, path)).toEqual({
          resourceAttributes: { verb: 'create', resource: 'nodes', subresource: 'proxy', name: 'node-1' },
        });
      }
    }
  });
});
