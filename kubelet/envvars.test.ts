import type { Service } from '../shared/api/core';
import { serviceEnv, serviceVariables } from './envvars';

const service = (namespace: string, name: string, clusterIP: string, ports: Service['spec']['ports']): Service => ({
  metadata: { namespace, name },
  spec: { clusterIP, ports },
});
const kubernetes = service('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]);

describe('serviceVariables (FromServices)', () => {
  it('gives the kubernetes Service the variables in-cluster clients read', () => {
    expect(Object.fromEntries(serviceVariables(kubernetes))).toEqual({
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: '443',
      KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
    });
  });

  it('upper-cases the name with - as _, gives every port its docker-links variables and the first one the short names', () => {
    const vars = Object.fromEntries(
      serviceVariables(service('shop', 'my-db', '10.96.5.5', [{ port: 5432 }, { name: 'metrics-port', port: 9187, protocol: 'UDP' }])),
    );
    expect(vars).toMatchObject({
      MY_DB_SERVICE_HOST: '10.96.5.5',
      MY_DB_SERVICE_PORT: '5432',
      MY_DB_SERVICE_PORT_METRICS_PORT: '9187',
      MY_DB_PORT: 'tcp://10.96.5.5:5432',
      MY_DB_PORT_5432_TCP_ADDR: '10.96.5.5',
      MY_DB_PORT_9187_UDP: 'udp://10.96.5.5:9187',
      MY_DB_PORT_9187_UDP_PROTO: 'udp',
    });
    expect(Object.keys(vars)).toHaveLength(2 + 1 + 1 + 4 + 4);
  });

  it('gives nothing for headless and ExternalName Services', () => {
    expect(serviceVariables(service('shop', 'db', 'None', [{ port: 5432 }]))).toEqual([]);
    expect(
      serviceVariables({ metadata: { namespace: 'shop', name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } }),
    ).toEqual([]);
  });
});

describe('serviceEnv (getServiceEnvVarMap)', () => {
  const shopDB = service('shop', 'db', '10.96.5.5', [{ port: 5432 }]);
  const otherDB = service('other', 'cache', '10.96.6.6', [{ port: 6379 }]);

  it("takes the pod's own namespace's Services and the kubernetes Service of default, no other namespace's", () => {
    const env = serviceEnv([kubernetes, shopDB, otherDB], 'shop', true);
    expect(env.get('KUBERNETES_SERVICE_HOST')).toBe('10.96.0.1');
    expect(env.get('DB_SERVICE_HOST')).toBe('10.96.5.5');
    expect(env.has('CACHE_SERVICE_HOST')).toBe(false);
  });

  it('keeps only the kubernetes Service when enableServiceLinks is false', () => {
    const env = serviceEnv([kubernetes, shopDB], 'shop', false);
    expect(env.get('KUBERNETES_SERVICE_PORT_HTTPS')).toBe('443');
    expect(env.has('DB_SERVICE_HOST')).toBe(false);
    expect(serviceEnv([kubernetes, service('default', 'web', '10.96.7.7', [{ port: 80 }])], 'default', false).has('WEB_SERVICE_HOST')).toBe(
      false,
    );
  });
});
