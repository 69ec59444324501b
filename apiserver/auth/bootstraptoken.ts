// The bootstrap token authenticator (kube-apiserver --enable-bootstrap-token-auth): a bearer token of the
// form `<id>.<secret>` is looked up as the Secret kube-system/bootstrap-token-<id>. It authenticates as
// `system:bootstrap:<id>` in `system:bootstrappers` plus the token's extra groups, only while the Secret
// is a bootstrap token allowed for authentication, its secret matches, and it has not expired or been
// deleted. Any mismatch is no answer (the request ends up a 401), never an error.
import crypto from 'node:crypto';
import type { UserInfo } from '../../shared/api/authentication';
import type { Secret } from '../../shared/api/core';
import {
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  BOOTSTRAP_TOKEN_SECRET_TYPE,
  BOOTSTRAP_USER_PREFIX,
  hasUsage,
  isExpired,
  parseToken,
  secretData,
  TOKEN_ID,
  TOKEN_SECRET,
  tokenGroups,
} from '../../shared/bootstraptoken';
import type { TokenAuthenticator } from './authenticator';

/** Reads a Secret of kube-system, undefined when there is none. */
export type SecretGetter = (name: string) => Promise<Secret | undefined>;

const sameSecret = (a: string, b: string) => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));

export class BootstrapTokenAuthenticator implements TokenAuthenticator {
  constructor(
    private readonly secret: SecretGetter,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticateToken(token: string): Promise<UserInfo | undefined> {
    const parsed = parseToken(token);
    if (!parsed) return undefined;
    const secret = await this.secret(`${BOOTSTRAP_TOKEN_SECRET_PREFIX}${parsed.id}`);
    if (!secret || secret.metadata.deletionTimestamp || secret.type !== BOOTSTRAP_TOKEN_SECRET_TYPE || !secret.data) return undefined;
    if (!sameSecret(secretData(secret, TOKEN_SECRET), parsed.secret) || secretData(secret, TOKEN_ID) !== parsed.id) return undefined;
    if (isExpired(secret, this.now()) || !hasUsage(secret, 'authentication')) return undefined;
    const groups = tokenGroups(secret);
    if (!groups) return undefined;
    return { username: `${BOOTSTRAP_USER_PREFIX}${parsed.id}`, groups };
  }
}
