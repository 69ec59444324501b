// The apiserver's loopback client, as kube-apiserver's LoopbackClientConfig: a random token made at start
// and known only to this process authenticates as system:apiserver in system:masters, so the apiserver's
// own post-start work (the add-on manager, addons.ts) goes through the API like any client: defaulting,
// validation, admission and the watch. The token lives in memory only and dies with the process.
import crypto from 'node:crypto';
import type { UserInfo } from '../../shared/api/authentication';
import type { TokenAuthenticator } from './authenticator';

export const LOOPBACK_USER = 'system:apiserver';

export interface Loopback {
  token: string;
  authenticator: TokenAuthenticator;
}

export function newLoopback(): Loopback {
  const token = crypto.randomBytes(32).toString('base64url');
  const user: UserInfo = { username: LOOPBACK_USER, uid: crypto.randomUUID(), groups: ['system:masters'] };
  const expected = Buffer.from(token);
  return {
    token,
    authenticator: {
      authenticateToken: (given) => {
        const b = Buffer.from(given);
        return b.length === expected.length && crypto.timingSafeEqual(b, expected) ? user : undefined;
      },
    },
  };
}
