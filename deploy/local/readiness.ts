// When a local cluster is ready: when every component is. The launcher writes the admin kubeconfig (the
// signal scripts and tests wait for) only then, so whoever sees it can use every part of the cluster:
//   apiserver                      /readyz answers 200 (it checks etcd)
//   scheduler, controller-manager  this run's process holds its Lease (leader election done); for the
//                                  controller-manager also the ServiceAccount default/default exists
//                                  (admission refuses pods of a namespace without it)
//   kube-proxy                     /healthz answers (served once its caches have synced), kube-ipvs0
//                                  exists and the service range is routed `unreachable`
//   kubelet-node-N                 its Node is Ready
import { execFile } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import type { Lease } from '../../shared/api/coordination';
import type { Node, ServiceAccount } from '../../shared/api/core';
import { Leases, Nodes, ServiceAccounts } from '../../shared/api/resources';
import type { Client } from '../../shared/client';

const run = promisify(execFile);

/** What tells that one component is ready. */
export type Readiness =
  | { kind: 'readyz'; port: number }
  | { kind: 'lease'; name: string; serviceAccount?: { namespace: string; name: string } }
  | { kind: 'node'; name: string }
  | { kind: 'kube-proxy'; healthz: string; serviceCIDR: string; interfaceName: string };

export interface ReadinessContext {
  /** An admin client of the cluster (the kubeconfig file does not exist yet). */
  client: Client;
  /** The cluster CA, to check the apiserver's certificate. */
  ca: Buffer;
  now(): number;
}

export function nodeIsReady(node: Node): boolean {
  return !!node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Whether the process `pid` of this machine holds the lease now (identities are `<hostname>_<pid>`). */
export function leaseHeldBy(lease: Lease, pid: number, nowMs: number): boolean {
  const { holderIdentity, renewTime, leaseDurationSeconds } = lease.spec;
  if (!holderIdentity?.endsWith(`_${pid}`) || !renewTime) return false;
  return Date.parse(renewTime) + (leaseDurationSeconds ?? 0) * 1000 > nowMs;
}

/** The status code of a GET, or 0 when nothing answers within a second. */
function statusOf(url: string, ca?: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { ca, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

const output = (cmd: string, args: string[]) =>
  run(cmd, args).then(
    (r) => r.stdout.trim(),
    () => '',
  );

/** Whether the component of `pid` is ready, as `r` describes it. */
export async function isReady(r: Readiness, pid: number | undefined, ctx: ReadinessContext): Promise<boolean> {
  if (pid === undefined) return false;
  switch (r.kind) {
    case 'readyz':
      return (await statusOf(`https://127.0.0.1:${r.port}/readyz`, ctx.ca)) === 200;
    case 'lease': {
      const lease = await ctx.client
        .resource<Lease>(Leases)
        .get('kube-system', r.name)
        .catch(() => undefined);
      if (!lease || !leaseHeldBy(lease, pid, ctx.now())) return false;
      if (!r.serviceAccount) return true;
      const { namespace, name } = r.serviceAccount;
      return ctx.client
        .resource<ServiceAccount>(ServiceAccounts)
        .get(namespace, name)
        .then(
          () => true,
          () => false,
        );
    }
    case 'node': {
      const node = await ctx.client
        .resource<Node>(Nodes)
        .get(undefined, r.name)
        .catch(() => undefined);
      return !!node && nodeIsReady(node);
    }
    case 'kube-proxy':
      return (
        (await statusOf(`http://${r.healthz}/healthz`)) === 200 &&
        (await output('ip', ['route', 'show', 'type', 'unreachable', r.serviceCIDR])) !== '' &&
        (await output('ip', ['-o', 'link', 'show', r.interfaceName])) !== ''
      );
  }
}
