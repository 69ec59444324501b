// The kubelet's token manager (pkg/kubelet/token): the ServiceAccount tokens of the projected
// serviceAccountToken volumes. Each is asked of the apiserver through the TokenRequest API (POST
// serviceaccounts/<name>/token), bound to its pod (deleting the pod ends the token), and kept until it
// must be refreshed: once 80% of its lifetime has passed, or it is more than 24 hours old, a few seconds
// of jitter earlier so that a node's pods do not all ask at once. A refresh that fails keeps the token
// while it is still valid. The tokens of a pod are forgotten when the pod goes; expired ones on the way.
import type { Pod } from '../shared/api/core';
import type { TokenRequest } from '../shared/api/authentication';
import { ServiceAccounts } from '../shared/api/resources';
import type { Client } from '../shared/client';
import type { Clock } from '../shared/clock';

/** A token is asked again once it is this old, whatever its lifetime. */
export const MAX_TTL_MS = 24 * 60 * 60 * 1000;
/** At most this much earlier than the rule says, at random. */
export const MAX_JITTER_MS = 10_000;

/** The TokenRequest API: a token for the ServiceAccount `name` of `namespace`, as `request` asks. */
export type TokenRequester = (namespace: string, name: string, request: TokenRequest) => Promise<TokenRequest>;

/**
 * requiresRefresh: whether the token must be asked again at `now`: its lifetime is read from the
 * request's expirationSeconds and the expiration the apiserver gave; `jitterMs` brings the moment forward.
 */
export function requiresRefresh(tr: TokenRequest, now: number, jitterMs: number): boolean {
  const seconds = tr.spec.expirationSeconds;
  const expiration = Date.parse(tr.status?.expirationTimestamp ?? '');
  if (!seconds || Number.isNaN(expiration)) return true;
  const issuedAt = expiration - seconds * 1000;
  if (now > issuedAt + MAX_TTL_MS - jitterMs) return true;
  return now > expiration - Math.floor(seconds / 5) * 1000 - jitterMs; // within the last 20% of its lifetime
}

const expired = (tr: TokenRequest, now: number) => now > Date.parse(tr.status?.expirationTimestamp ?? '');

/** The cache key: one token per ServiceAccount, audiences, lifetime and bound object. */
const keyOf = (namespace: string, name: string, tr: TokenRequest) =>
  JSON.stringify([namespace, name, tr.spec.audiences ?? [], tr.spec.expirationSeconds, tr.spec.boundObjectRef ?? {}]);

export class TokenManager {
  private readonly cache = new Map<string, TokenRequest>();

  constructor(
    private readonly requestToken: TokenRequester,
    private readonly clock: Clock,
    private readonly jitterMs: () => number = () => Math.floor(Math.random() * (MAX_JITTER_MS / 1000)) * 1000,
  ) {}

  /** GetServiceAccountToken: the cached token for this request, or a new one when it must be refreshed. */
  async getServiceAccountToken(namespace: string, name: string, request: TokenRequest): Promise<TokenRequest> {
    const now = this.clock.now();
    for (const [k, tr] of this.cache) if (expired(tr, now)) this.cache.delete(k);
    const key = keyOf(namespace, name, request);
    const cached = this.cache.get(key);
    if (cached && !requiresRefresh(cached, now, this.jitterMs())) return cached;
    let fresh: TokenRequest;
    try {
      fresh = await this.requestToken(namespace, name, request);
    } catch (err) {
      if (!cached) throw new Error(`failed to fetch token: ${(err as Error).message}`, { cause: err });
      return cached; // still valid (expired ones were dropped above): try again at the next sync
    }
    if (!fresh.status?.token) throw new Error('failed to fetch token: the TokenRequest has no token in its status');
    this.cache.set(key, fresh);
    return fresh;
  }

  /** DeleteServiceAccountToken: forgets the tokens bound to the pod `uid`. */
  deleteServiceAccountToken(uid: string): void {
    for (const [k, tr] of this.cache) if (tr.spec.boundObjectRef?.uid === uid) this.cache.delete(k);
  }
}

/** The token of a pod's serviceAccountToken projection, as the projected volume plugin asks for it. */
export async function projectedToken(
  tokens: TokenManager,
  pod: Pod,
  projection: { audience?: string; expirationSeconds?: number },
): Promise<string> {
  const request: TokenRequest = {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: {},
    spec: {
      // No audience: the apiserver's own (--api-audiences).
      ...(projection.audience ? { audiences: [projection.audience] } : {}),
      expirationSeconds: projection.expirationSeconds ?? 3600,
      boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
    },
  };
  const serviceAccount = pod.spec.serviceAccountName || 'default';
  return (await tokens.getServiceAccountToken(pod.metadata.namespace!, serviceAccount, request)).status!.token;
}

/** The TokenRequest API through the kubelet's client (the Node authorizer lets it ask for the pods bound to it). */
export const tokenRequester =
  (client: Client): TokenRequester =>
  (namespace, name, request) =>
    client.resource(ServiceAccounts).subresource<TokenRequest>('POST', namespace, name, 'token', request);
