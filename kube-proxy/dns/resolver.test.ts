import type { Endpoints, Service } from '../../shared/api/core';
import { resolve } from './resolver';

const services: Record<string, Service> = {
  'default/web': {
    metadata: { name: 'web', namespace: 'default' },
    spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  },
  'default/db': { metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ port: 5432 }] } },
  'default/ext': { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.com' } },
};
const endpoints: Record<string, Endpoints> = {
  'default/db': {
    metadata: { name: 'db' },
    subsets: [{ addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.7' }], notReadyAddresses: [{ ip: '10.244.1.9' }] }],
  },
};
const state = { service: (ns: string, n: string) => services[`${ns}/${n}`], endpoints: (ns: string, n: string) => endpoints[`${ns}/${n}`] };
const r = (name: string, type = 'A') => resolve(name, type, 'cluster.local', state);

describe('cluster DNS', () => {
  it('answers a Service name with its ClusterIP', () => {
    expect(r('web.default.svc.cluster.local')).toEqual({
      kind: 'answers',
      answers: [{ type: 'A', name: 'web.default.svc.cluster.local', data: '10.96.0.20' }],
    });
    expect(r('WEB.default.svc.cluster.local.')).toMatchObject({ kind: 'answers' });
  });

  it('answers a headless Service with its ready pods', () => {
    expect(r('db.default.svc.cluster.local')).toEqual({
      kind: 'answers',
      answers: [
        { type: 'A', name: 'db.default.svc.cluster.local', data: '10.244.1.5' },
        { type: 'A', name: 'db.default.svc.cluster.local', data: '10.244.2.7' },
      ],
    });
  });

  it('answers an ExternalName Service with a CNAME, and named ports with SRV', () => {
    expect(r('ext.default.svc.cluster.local')).toEqual({
      kind: 'answers',
      answers: [{ type: 'CNAME', name: 'ext.default.svc.cluster.local', data: 'example.com' }],
    });
    expect(r('_http._tcp.web.default.svc.cluster.local', 'SRV')).toEqual({
      kind: 'answers',
      answers: [
        {
          type: 'SRV',
          name: '_http._tcp.web.default.svc.cluster.local',
          data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' },
        },
      ],
    });
  });

  it('says NXDOMAIN inside the cluster domain and forwards everything else', () => {
    expect(r('nope.default.svc.cluster.local')).toEqual({ kind: 'nxdomain' });
    expect(r('web.svc.cluster.local')).toEqual({ kind: 'nxdomain' });
    expect(r('web.cluster.local')).toEqual({ kind: 'nxdomain' });
    expect(r('example.com')).toEqual({ kind: 'forward' });
  });
});
