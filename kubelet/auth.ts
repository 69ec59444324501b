// Who may call the kubelet's port, as the real kubelet decides it (--anonymous-auth=false,
// --authentication-token-webhook, --authorization-mode=Webhook):
//   - a client certificate signed by --client-ca-file (the apiserver's own), or a bearer token the
//     apiserver vouches for (a TokenReview), else 401;
//   - then the apiserver is asked whether that user may get nodes/<subresource> of this node (a
//     SubjectAccessReview), else 403.
// Answers are cached for two minutes so a log stream does not cost two API calls.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { SubjectAccessReview, TokenReview, UserInfo } from '../shared/api/authentication';
import type { Client } from '../shared/client';
import type { Clock } from '../shared/clock';

const CACHE_MS = 2 * 60_000;

/** The nodes subresource a kubelet path is authorized as (Kubernetes' own mapping). */
export function kubeletSubresource(path: string): string {
  if (path.startsWith('/stats') || path.startsWith('/metrics')) return 'stats';
  if (path.startsWith('/logs')) return 'log';
  return 'proxy'; // containerLogs, exec, run, ...
}

export type AuthResult = { ok: true; user: UserInfo } | { ok: false; code: 401 | 403; message: string };

class TTLCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  constructor(private readonly clock: Clock) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e || e.expires < this.clock.now()) return undefined;
    return e.value;
  }

  set(key: string, value: V): void {
    if (this.entries.size > 1000) this.entries.clear(); // bounded: a flood of bad tokens cannot grow it
    this.entries.set(key, { value, expires: this.clock.now() + CACHE_MS });
  }
}

export class KubeletAuth {
  private readonly tokens: TTLCache<UserInfo | null>;
  private readonly decisions: TTLCache<boolean>;

  constructor(private readonly client: Client, private readonly nodeName: string, clock: Clock) {
    this.tokens = new TTLCache(clock);
    this.decisions = new TTLCache(clock);
  }

  async check(req: IncomingMessage, path: string): Promise<AuthResult> {
    const user = await this.authenticate(req);
    if (!user) return { ok: false, code: 401, message: 'Unauthorized' };
    const subresource = kubeletSubresource(path);
    if (!(await this.authorized(user, subresource))) {
      return { ok: false, code: 403, message: `Forbidden (user=${user.username}, verb=get, resource=nodes, subresource(s)=[${subresource}])` };
    }
    return { ok: true, user };
  }

  private async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const socket = req.socket as TLSSocket;
    if (socket.authorized) {
      const cert = socket.getPeerCertificate();
      const o = cert.subject?.O;
      return { username: String(cert.subject?.CN ?? ''), groups: o === undefined ? [] : Array.isArray(o) ? o : [o] };
    }
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return undefined;
    const cached = this.tokens.get(token);
    if (cached !== undefined) return cached ?? undefined;
    const review = await this.client.request<TokenReview>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec: { token } },
    });
    const user = review.status?.authenticated ? review.status.user ?? null : null;
    this.tokens.set(token, user);
    return user ?? undefined;
  }

  private async authorized(user: UserInfo, subresource: string): Promise<boolean> {
    const key = `${user.username}\n${(user.groups ?? []).join(',')}\n${subresource}`;
    const cached = this.decisions.get(key);
    if (cached !== undefined) return cached;
    const review = await this.client.request<SubjectAccessReview>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        metadata: {},
        spec: { user: user.username, uid: user.uid, groups: user.groups, resourceAttributes: { verb: 'get', resource: 'nodes', subresource, name: this.nodeName } },
      },
    });
    const allowed = review.status?.allowed === true;
    this.decisions.set(key, allowed);
    return allowed;
  }
}
