// Authentication: who sent a request. Kubernetes asks its authenticators in turn (client certificate,
// then bearer token authenticators) and takes the first answer; a request that carries a bearer token
// nobody knows is refused (401), and one with no credential at all is anonymous, when anonymous
// requests are enabled. The union is in http/auth.ts; these are the pieces.
import type { TLSSocket } from 'node:tls';
import type { UserInfo } from '../../shared/api/authentication';

/**
 * Knows some bearer tokens: the user, or undefined for a token it does not know. `audiences` are whom the
 * token must be meant for (a TokenReview's spec.audiences; else the apiserver's --api-audiences): only
 * audience-aware tokens (ServiceAccount tokens) look at them.
 */
export interface TokenAuthenticator {
  authenticateToken(token: string, audiences?: string[]): Promise<UserInfo | undefined> | UserInfo | undefined;
}

/**
 * Knows TLS clients by their certificate: the user; a refusal when the client presented a certificate
 * that does not verify (the request is then a 401 unless a bearer token authenticates it); or undefined
 * when it presented none.
 */
export interface CertificateAuthenticator {
  authenticateConnection(socket: TLSSocket): { user: UserInfo } | { refused: string } | undefined;
}

/** The users of --token-auth-file. */
export const staticTokens = (users: Map<string, UserInfo>): TokenAuthenticator => ({ authenticateToken: (token) => users.get(token) });

/** Asks each token authenticator in turn; the first that knows the token answers. */
export function unionTokenAuthenticator(authenticators: TokenAuthenticator[]): TokenAuthenticator {
  return {
    async authenticateToken(token, audiences) {
      for (const a of authenticators) {
        const user = await a.authenticateToken(token, audiences);
        if (user) return user;
      }
      return undefined;
    },
  };
}

/** Who a request with no credential is, when --anonymous-auth allows it (the default, as in Kubernetes). */
export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
