// kubeconfig files: what kubectl and every component read to find and authenticate to the apiserver.
import fs from 'node:fs';
import path from 'node:path';
import { dump, load } from 'js-yaml';

export interface ClientConfig {
  server: string;
  /** More apiservers of the same cluster (the kubeconfig's `mini-kubernetes.io/apiservers` extension). */
  servers?: string[];
  /**
   * Whether the client also balances over the apiservers the `kubernetes` Service's endpoints name
   * (default: when `server` is https and not a loopback address).
   */
  discoverServers?: boolean;
  token?: string;
  /** A file holding the bearer token, read again as it changes (a pod's ServiceAccount token: incluster.ts). */
  tokenFile?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTLSVerify?: boolean;
  userAgent?: string;
  /** Act as this user (the Impersonate-User header; the credential's user must be allowed to impersonate). */
  impersonate?: string;
}

interface Named<T> {
  name: string;
  cluster?: T;
  user?: T;
  context?: T;
}

/** The cluster extension naming more apiservers of the cluster (kubectl ignores it). */
export const APISERVERS_EXTENSION = 'mini-kubernetes.io/apiservers';

const fromData = (data: string | undefined): Buffer | undefined => (data ? Buffer.from(data, 'base64') : undefined);

/** Reads the current context of a kubeconfig: its cluster and its user's credentials. */
export function loadKubeconfig(file: string): ClientConfig {
  const doc = load(fs.readFileSync(file, 'utf8')) as {
    'current-context'?: string;
    contexts?: Named<{ cluster: string; user: string }>[];
    clusters?: Named<Record<string, unknown>>[];
    users?: Named<Record<string, string>>[];
  };
  const dir = path.dirname(file);
  const read = (p: string | undefined) => (p ? fs.readFileSync(path.resolve(dir, p)) : undefined);
  const context = doc.contexts?.find((c) => c.name === doc['current-context'])?.context ?? doc.contexts?.[0]?.context;
  const cluster = doc.clusters?.find((c) => c.name === context?.cluster)?.cluster ?? doc.clusters?.[0]?.cluster;
  const user = doc.users?.find((u) => u.name === context?.user)?.user ?? {};
  if (!cluster?.server) throw new Error(`${file}: no cluster server in the current context`);
  const extensions = (cluster.extensions ?? []) as { name?: string; extension?: { servers?: unknown } }[];
  const servers = extensions.find((e) => e.name === APISERVERS_EXTENSION)?.extension?.servers;
  return {
    server: String(cluster.server),
    ...(Array.isArray(servers) ? { servers: servers.map(String) } : {}),
    ca:
      fromData(cluster['certificate-authority-data'] as string | undefined) ?? read(cluster['certificate-authority'] as string | undefined),
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    token: user.token ?? read(user['token-file'])?.toString().trim(),
    cert: fromData(user['client-certificate-data']) ?? read(user['client-certificate']),
    key: fromData(user['client-key-data']) ?? read(user['client-key']),
  };
}

export interface KubeconfigOptions {
  server: string;
  /** More apiservers of the cluster, which the components balance over (kubectl uses `server` only). */
  servers?: string[];
  token?: string;
  caData?: Buffer;
  certData?: Buffer;
  keyData?: Buffer;
  user?: string;
  cluster?: string;
}

/** Writes a single-context kubeconfig (mode 0600: it holds credentials). */
export function writeKubeconfig(file: string, o: KubeconfigOptions): void {
  const cluster = o.cluster ?? 'mini-kubernetes';
  const user = o.user ?? 'admin';
  const b64 = (b: Buffer | undefined) => b?.toString('base64');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster,
        cluster: {
          server: o.server,
          ...(o.caData ? { 'certificate-authority-data': b64(o.caData) } : {}),
          ...(o.servers?.length ? { extensions: [{ name: APISERVERS_EXTENSION, extension: { servers: o.servers } }] } : {}),
        },
      },
    ],
    users: [
      {
        name: user,
        user: {
          ...(o.token ? { token: o.token } : {}),
          ...(o.certData ? { 'client-certificate-data': b64(o.certData) } : {}),
          ...(o.keyData ? { 'client-key-data': b64(o.keyData) } : {}),
        },
      },
    ],
    contexts: [{ name: `${user}@${cluster}`, context: { cluster, user } }],
    'current-context': `${user}@${cluster}`,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, dump(doc), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
