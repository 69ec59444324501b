// The configuration of a process running in a pod, as client-go's rest.InClusterConfig builds it: the
// apiserver is the `kubernetes` Service (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, set by the
// kubelet in every container), trusted with the cluster CA and called with the pod's ServiceAccount token,
// both in the projected volume at /var/run/secrets/kubernetes.io/serviceaccount. The kubelet refreshes that
// token before it expires, so the client reads the file again now and then (tokensource.ts)
// instead of keeping the first one.
import fs from 'node:fs';
import path from 'node:path';
import type { ClientConfig } from './kubeconfig';
import { loadKubeconfig } from './kubeconfig';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** client-go's ErrNotInCluster, word for word. */
export const NOT_IN_CLUSTER =
  'unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined';

/** The server, CA and token file of a process in a pod; throws when it is not in one. */
export function inClusterConfig(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): ClientConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new Error(NOT_IN_CLUSTER);
  const tokenFile = path.join(dir, 'token');
  // Read once now, as client-go does: a pod without a token fails at start, not at its first request.
  fs.readFileSync(tokenFile);
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: fs.readFileSync(path.join(dir, 'ca.crt')),
    tokenFile,
    // The Service already spreads connections over every apiserver; their own addresses may not be
    // reachable from a pod.
    discoverServers: false,
  };
}

/** The namespace of the pod a process runs in (the projected volume's `namespace` file). */
export function inClusterNamespace(dir = SERVICE_ACCOUNT_DIR): string {
  return fs.readFileSync(path.join(dir, 'namespace'), 'utf8').trim();
}

/**
 * client-go's clientcmd.BuildConfigFromFlags for a component's --kubeconfig flag: the file when one is
 * given, else the in-cluster configuration.
 */
export function buildConfigFromFlags(
  kubeconfig: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  dir = SERVICE_ACCOUNT_DIR,
): ClientConfig {
  if (kubeconfig) return loadKubeconfig(kubeconfig);
  try {
    return inClusterConfig(env, dir);
  } catch (err) {
    throw new Error(`--kubeconfig is required outside a pod: ${(err as Error).message}`, { cause: err });
  }
}
