// Delegated authentication and authorization, as Kubernetes' components (kubelet, kube-scheduler,
// kube-controller-manager) protect their own HTTPS ports: they hold no users or roles and ask the
// apiserver instead.
//   - authentication: a client certificate signed by the client CA (--client-ca-file), or a bearer token
//     the apiserver vouches for (a TokenReview), else 401;
//   - authorization: the apiserver is asked whether that user may do what the request does (a
//     SubjectAccessReview on resource attributes, e.g. get nodes/stats, or on a non-resource path, e.g.
//     get /metrics), else 403.
// Answers are cached for two minutes (so a log stream or a scrape every 15 s does not cost two API calls
// each), in bounded caches (a flood of bad tokens cannot grow them).
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { NonResourceAttributes, ResourceAttributes, SubjectAccessReview, TokenReview, UserInfo } from './api/authentication';
import type { Client } from './client';
import type { Clock } from './clock';
import type { Logger } from './log';
import { certificateIdentity } from './pki';

export const CACHE_TTL_MS = 2 * 60_000;
const CACHE_MAX_ENTRIES = 1000;

/** What a request does, in the terms of a SubjectAccessReview: exactly one of the two. */
export type AccessAttributes = { resourceAttributes: ResourceAttributes } | { nonResourceAttributes: NonResourceAttributes };

export type AuthResult = { ok: true; user: UserInfo } | { ok: false; code: 401 | 403 | 503; message: string };

/** A map whose entries expire after a time to live and which is emptied when it grows too large. */
export class TTLCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = CACHE_TTL_MS,
    private readonly maxEntries = CACHE_MAX_ENTRIES,
  ) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e || e.expires <= this.clock.now()) return undefined;
    return e.value;
  }

  set(key: string, value: V): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, expires: this.clock.now() + this.ttlMs });
  }
}

/** The 403 text, as the kubelet words it for resources and the generic apiserver for paths. */
export function forbiddenMessage(user: UserInfo, attrs: AccessAttributes): string {
  if ('nonResourceAttributes' in attrs) {
    const { verb, path } = attrs.nonResourceAttributes;
    return `forbidden: User "${user.username}" cannot ${verb} path "${path}"`;
  }
  const { verb, resource, subresource } = attrs.resourceAttributes;
  return `Forbidden (user=${user.username}, verb=${verb}, resource=${resource}, subresource(s)=[${subresource ?? ''}])`;
}

export class DelegatedAuth {
  private readonly tokens: TTLCache<UserInfo | null>;
  private readonly decisions: TTLCache<boolean>;

  constructor(
    private readonly client: Client,
    clock: Clock,
    private readonly log: Logger,
  ) {
    this.tokens = new TTLCache(clock);
    this.decisions = new TTLCache(clock);
  }

  /** Who the caller is and whether it may do `attrs`; 503 when the apiserver cannot be asked. */
  async check(req: IncomingMessage, attrs: AccessAttributes): Promise<AuthResult> {
    try {
      const user = await this.authenticate(req);
      if (!user) return { ok: false, code: 401, message: 'Unauthorized' };
      if (!(await this.authorize(user, attrs))) return { ok: false, code: 403, message: forbiddenMessage(user, attrs) };
      return { ok: true, user };
    } catch (err) {
      this.log.warn({ err }, 'could not check the caller with the apiserver');
      return { ok: false, code: 503, message: 'the apiserver could not be asked about this caller' };
    }
  }

  private async authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const socket = req.socket as TLSSocket;
    if (socket.authorized) {
      const { user, groups } = certificateIdentity({ subject: { ...socket.getPeerCertificate().subject } });
      return { username: user, groups };
    }
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return undefined;
    const cached = this.tokens.get(token);
    if (cached !== undefined) return cached ?? undefined;
    const review = await this.client.request<TokenReview>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec: { token } },
    });
    const user = review.status?.authenticated ? (review.status.user ?? null) : null;
    this.tokens.set(token, user);
    return user ?? undefined;
  }

  private async authorize(user: UserInfo, attrs: AccessAttributes): Promise<boolean> {
    const key = JSON.stringify([user.username, user.groups ?? [], attrs]);
    const cached = this.decisions.get(key);
    if (cached !== undefined) return cached;
    const review = await this.client.request<SubjectAccessReview>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        metadata: {},
        spec: { user: user.username, uid: user.uid, groups: user.groups, ...attrs },
      },
    });
    const allowed = review.status?.allowed === true;
    this.decisions.set(key, allowed);
    return allowed;
  }
}
