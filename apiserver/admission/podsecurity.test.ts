import type { Namespace, Pod } from '../../shared/api/core';
import { StatusError } from '../../shared/errors';
import { admitPodSecurity, baselineViolations } from './podsecurity';

const pod = (spec: Partial<Pod['spec']>, containers: Pod['spec']['containers'] = [{ name: 'c', image: 'x' }]): Pod => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers, ...spec },
});
const ns = (level?: string): Namespace => ({
  metadata: { name: 'x', labels: level ? { 'pod-security.kubernetes.io/enforce': level } : {} },
});

describe('Pod Security baseline', () => {
  it('names every violation the way Kubernetes does', () => {
    const p = pod({ hostNetwork: true, hostPID: true, volumes: [{ name: 'root', hostPath: { path: '/' } }] }, [
      {
        name: 'a',
        image: 'x',
        securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN', 'CHOWN'] } },
        ports: [{ containerPort: 80, hostPort: 8080 }],
      },
    ]);
    expect(baselineViolations(p)).toEqual([
      'host namespaces (hostNetwork=true, hostPID=true)',
      'privileged (container "a" must not set securityContext.privileged=true)',
      'non-default capabilities (container "a" must not include "NET_ADMIN" in securityContext.capabilities.add)',
      'hostPath volumes (volume "root")',
      'hostPort (container "a" uses hostPort 8080)',
    ]);
  });

  it('refuses with 403 in a baseline namespace and admits in a privileged one', () => {
    const p = pod({ hostNetwork: true });
    let err: unknown;
    try {
      admitPodSecurity(p, ns());
    } catch (e) {
      err = e;
    }
    expect((err as StatusError).status).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'pods "p" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)',
    });
    expect(() => admitPodSecurity(p, ns('privileged'))).not.toThrow();
    expect(() => admitPodSecurity(pod({}), ns())).not.toThrow();
  });
});
