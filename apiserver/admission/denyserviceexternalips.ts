// The DenyServiceExternalIPs admission plugin: no new use of a Service's spec.externalIPs. Whoever may
// create a Service could otherwise claim any address and have kube-proxy intercept traffic meant for it
// (CVE-2020-8554). Kubernetes ships the plugin off; this cluster turns it on unless the administrator
// names it in --disable-admission-plugins, because a learner's cluster is safer denying than allowing.
// External IPs a Service already had may stay (an update that keeps or drops them is admitted).
import type { Service } from '../../shared/api/core';
import { AdmissionAttributes, admissionForbidden, ValidationPlugin } from './admission';

export const DENY_SERVICE_EXTERNAL_IPS = 'DenyServiceExternalIPs';

export const denyServiceExternalIPs: ValidationPlugin = {
  validate(attrs: AdmissionAttributes): void {
    if (attrs.resource.kind !== 'Service' || attrs.subresource !== '' || !attrs.object) return;
    const kept = new Set((attrs.oldObject as Service | undefined)?.spec.externalIPs ?? []);
    if (((attrs.object as Service).spec.externalIPs ?? []).every((ip) => kept.has(ip))) return;
    throw admissionForbidden(attrs, 'Use of external IPs is denied by admission control');
  },
};
