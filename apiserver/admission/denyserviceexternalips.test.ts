import type { Service } from '../../shared/api/core';
import { Services } from '../../shared/api/resources';
import { isForbidden, StatusError } from '../../shared/errors';
import type { AdmissionAttributes } from './admission';
import { denyServiceExternalIPs } from './denyserviceexternalips';

const svc = (externalIPs?: string[]): Service => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { ports: [{ port: 80 }], externalIPs },
});

const attrs = (object: Service, oldObject?: Service, subresource = ''): AdmissionAttributes => ({
  operation: oldObject ? 'UPDATE' : 'CREATE',
  resource: Services,
  subresource,
  namespace: 'default',
  name: oldObject ? 'web' : '',
  object,
  oldObject,
  user: { username: 'alice', groups: ['system:authenticated'] },
  dryRun: false,
});

const admit = (a: AdmissionAttributes) => () => denyServiceExternalIPs.validate(a);

describe('DenyServiceExternalIPs', () => {
  it('refuses a Service created with external IPs with 403, as Kubernetes words it', () => {
    const refusal = (() => {
      try {
        void denyServiceExternalIPs.validate(attrs(svc(['192.0.2.10'])));
      } catch (err) {
        return err;
      }
    })();
    expect(isForbidden(refusal)).toBe(true);
    expect((refusal as StatusError).status).toMatchObject({
      code: 403,
      message: 'services "web" is forbidden: Use of external IPs is denied by admission control',
      details: { name: 'web', kind: 'services' },
    });
  });

  it('admits Services without external IPs, and updates that keep or drop the ones already there', () => {
    expect(admit(attrs(svc()))).not.toThrow();
    expect(admit(attrs(svc([])))).not.toThrow();
    expect(admit(attrs(svc(['192.0.2.10']), svc(['192.0.2.10', '192.0.2.11'])))).not.toThrow();
    expect(admit(attrs(svc(['192.0.2.12']), svc(['192.0.2.10'])))).toThrow(/denied by admission control/);
  });
});
