import { isProxyPath, parseResourcePath } from './path';

describe('parseResourcePath', () => {
  it('reads an object, its subresource and its namespace', () => {
    expect(parseResourcePath('/api/v1/namespaces/default/pods/web/status')).toMatchObject({
      namespace: 'default',
      name: 'web',
      subresource: 'status',
      resource: { plural: 'pods' },
    });
    expect(parseResourcePath('/api/v1/namespaces/default/pods/web/status/extra')).toBeUndefined();
  });

  it.each([
    ['/api/v1/namespaces/default/services/web:80/proxy', '', '/api/v1/namespaces/default/services/web:80/proxy'],
    ['/api/v1/namespaces/default/services/web:80/proxy/', '/', '/api/v1/namespaces/default/services/web:80/proxy'],
    ['/api/v1/namespaces/default/pods/web/proxy/a/b%2Fc', '/a/b%2Fc', '/api/v1/namespaces/default/pods/web/proxy'],
    ['/api/v1/nodes/node-1/proxy/stats/summary/', '/stats/summary/', '/api/v1/nodes/node-1/proxy'],
  ])('splits %s into the backend path %j and the prefix', (path, backend, prefix) => {
    expect(parseResourcePath(path)).toMatchObject({ subresource: 'proxy', proxy: { path: backend, prefix } });
    expect(isProxyPath(path)).toBe(true);
  });

  it('tells a proxy path from others, even a malformed one', () => {
    expect(isProxyPath('/api/v1/namespaces/default/pods/proxy')).toBe(false); // the pod named "proxy"
    expect(isProxyPath('/api/v1/namespaces/%zz/pods/web/proxy/')).toBe(false);
    expect(parseResourcePath('/api/v1/namespaces/default/configmaps/x/proxy/')).toBeUndefined();
  });
});
