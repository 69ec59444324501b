// The environment Kubernetes gives every container about Services (pkg/kubelet/envvars and the kubelet's
// getServiceEnvVarMap): for each Service with a cluster IP,
//
//   <NAME>_SERVICE_HOST=10.96.0.1           <NAME>_SERVICE_PORT=443 (the first port)
//   <NAME>_SERVICE_PORT_<PORTNAME>=443      for each named port
//   <NAME>_PORT=tcp://10.96.0.1:443         the docker-links variables: the first port, then each port's
//   <NAME>_PORT_443_TCP=tcp://10.96.0.1:443 address, _PROTO, _PORT and _ADDR
//
// where NAME is the Service's name upper-cased with `-` as `_`. The Services are those of the pod's own
// namespace when its enableServiceLinks is true (the default), and always the `kubernetes` Service of
// `default` (the apiserver's, where in-cluster clients find it). A variable the container sets itself wins.
import type { Service } from '../shared/api/core';

/** The Services whose addresses every pod gets, whatever its enableServiceLinks: in `default` only. */
const MASTER_SERVICES = new Set(['kubernetes']);
const MASTER_SERVICE_NAMESPACE = 'default';

const envName = (s: string) => s.replace(/-/g, '_').toUpperCase();

/** IsServiceIPSet: headless (`None`) and ExternalName Services have no address to give. */
const hasClusterIP = (svc: Service) => !!svc.spec.clusterIP && svc.spec.clusterIP !== 'None';

/** The variables of one Service (FromServices for one Service). */
export function serviceVariables(svc: Service): [string, string][] {
  const ports = svc.spec.ports ?? [];
  if (!hasClusterIP(svc) || !ports.length) return [];
  const prefix = envName(svc.metadata.name!);
  const ip = svc.spec.clusterIP!;
  const vars: [string, string][] = [
    [`${prefix}_SERVICE_HOST`, ip],
    [`${prefix}_SERVICE_PORT`, String(ports[0].port)],
  ];
  for (const p of ports) if (p.name) vars.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  const hostPort = (port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  ports.forEach((p, i) => {
    const protocol = (p.protocol ?? 'TCP').toUpperCase();
    const url = `${protocol.toLowerCase()}://${hostPort(p.port)}`;
    if (i === 0) vars.push([`${prefix}_PORT`, url]); // docker's special case: the first port
    const portPrefix = `${prefix}_PORT_${p.port}_${protocol}`;
    vars.push(
      [portPrefix, url],
      [`${portPrefix}_PROTO`, protocol.toLowerCase()],
      [`${portPrefix}_PORT`, String(p.port)],
      [`${portPrefix}_ADDR`, ip],
    );
  });
  return vars;
}

/** getServiceEnvVarMap: the Service variables of a container of a pod in `namespace`, from every Service the kubelet knows. */
export function serviceEnv(services: Service[], namespace: string, enableServiceLinks: boolean): Map<string, string> {
  const chosen = new Map<string, Service>();
  for (const svc of services) {
    if (!hasClusterIP(svc)) continue;
    const name = svc.metadata.name!;
    if (svc.metadata.namespace === MASTER_SERVICE_NAMESPACE && MASTER_SERVICES.has(name)) {
      if (!chosen.has(name)) chosen.set(name, svc);
    } else if (svc.metadata.namespace === namespace && enableServiceLinks) {
      chosen.set(name, svc);
    }
  }
  return new Map([...chosen.values()].flatMap(serviceVariables));
}
