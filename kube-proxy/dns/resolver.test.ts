import type { Endpoints, Service } from '../../shared/api/core';
import { resolve } from './resolver';

const services: Record<string, Service> = {
  'default/web': {
    metadata: { name: 'web', namespace: 'default' },
    spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  },
  'default/db': { metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ port: 5432 }] } },
  'default/ext': { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.com' } },
  'default/alias': {
    metadata: { name: 'alias', namespace: 'default' },
    spec: { type: 'ExternalName', externalName: 'Web.default.svc.cluster.local.' },
  },
  'default/alias2': {
    metadata: { name: 'alias2', namespace: 'default' },
    spec: { type: 'ExternalName', externalName: 'alias.default.svc.cluster.local' },
  },
  'default/dangling': {
    metadata: { name: 'dangling', namespace: 'default' },
    spec: { type: 'ExternalName', externalName: 'gone.default.svc.cluster.local' },
  },
  'default/loop': {
    metadata: { name: 'loop', namespace: 'default' },
    spec: { type: 'ExternalName', externalName: 'loop.default.svc.cluster.local' },
  },
  'default/long': {
    metadata: { name: 'long', namespace: 'default' },
    spec: { type: 'ExternalName', externalName: `${'a'.repeat(64)}.example.com` },
  },
};
const endpoints: Record<string, Endpoints> = {
  'default/db': {
    metadata: { name: 'db' },
    subsets: [
      {
        addresses: [{ ip: '10.244.1.5', hostname: 'db-0' }, { ip: '10.244.2.7' }, { ip: 'no ip' }],
        notReadyAddresses: [{ ip: '10.244.1.9', hostname: 'db-1' }],
      },
    ],
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

  it('answers a headless Service with its ready pods (IPv4 addresses only)', () => {
    expect(r('db.default.svc.cluster.local')).toEqual({
      kind: 'answers',
      answers: [
        { type: 'A', name: 'db.default.svc.cluster.local', data: '10.244.1.5' },
        { type: 'A', name: 'db.default.svc.cluster.local', data: '10.244.2.7' },
      ],
    });
  });

  it("answers a headless Service's pod by its hostname (a StatefulSet's pod) or dashed IP, when it is ready", () => {
    expect(r('db-0.db.default.svc.cluster.local')).toEqual({
      kind: 'answers',
      answers: [{ type: 'A', name: 'db-0.db.default.svc.cluster.local', data: '10.244.1.5' }],
    });
    expect(r('10-244-2-7.db.default.svc.cluster.local')).toMatchObject({ answers: [{ data: '10.244.2.7' }] });
    expect(r('db-1.db.default.svc.cluster.local')).toEqual({ kind: 'nxdomain' });
    expect(r('db-0.web.default.svc.cluster.local')).toEqual({ kind: 'nxdomain' });
    expect(r('db-0.db.default.svc.cluster.local', 'AAAA')).toEqual({ kind: 'answers', answers: [] });
  });

  it('answers named ports with SRV', () => {
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

  it('follows an ExternalName to an in-cluster target, as CoreDNS does: the CNAME, then its records', () => {
    const cname = (from: string, to: string) => ({ type: 'CNAME', name: `${from}.default.svc.cluster.local`, data: to });
    const web = { type: 'A', name: 'web.default.svc.cluster.local', data: '10.96.0.20' };
    expect(r('alias.default.svc.cluster.local')).toEqual({
      kind: 'answers',
      answers: [cname('alias', 'web.default.svc.cluster.local'), web],
    });
    expect(r('alias2.default.svc.cluster.local')).toEqual({
      kind: 'answers',
      answers: [cname('alias2', 'alias.default.svc.cluster.local'), cname('alias', 'web.default.svc.cluster.local'), web],
    });
    expect(r('alias.default.svc.cluster.local', 'CNAME')).toEqual({
      kind: 'answers',
      answers: [cname('alias', 'web.default.svc.cluster.local')],
    });
    expect(r('alias.default.svc.cluster.local', 'AAAA')).toEqual({
      kind: 'answers',
      answers: [cname('alias', 'web.default.svc.cluster.local')],
    });
    expect(r('dangling.default.svc.cluster.local')).toEqual({
      kind: 'answers',
      answers: [cname('dangling', 'gone.default.svc.cluster.local')],
      nxdomain: true,
    });
    expect(r('loop.default.svc.cluster.local')).toEqual({ kind: 'servfail' });
  });

  it('leaves an outside target to be chased upstream, and fails a name no DNS message can hold', () => {
    expect(r('ext.default.svc.cluster.local')).toEqual({
      kind: 'answers',
      answers: [{ type: 'CNAME', name: 'ext.default.svc.cluster.local', data: 'example.com' }],
      chase: 'example.com',
    });
    expect(r('long.default.svc.cluster.local')).toEqual({ kind: 'servfail' });
  });

  it('says NXDOMAIN inside the cluster domain and forwards everything else', () => {
    expect(r('nope.default.svc.cluster.local')).toEqual({ kind: 'nxdomain' });
    expect(r('web.svc.cluster.local')).toEqual({ kind: 'nxdomain' });
    expect(r('web.cluster.local')).toEqual({ kind: 'nxdomain' });
    expect(r('example.com')).toEqual({ kind: 'forward' });
  });
});
