import type { Request, Response } from 'express';
import type { UserInfo } from '../../shared/api/authentication';
import { StatusError } from '../../shared/errors';
import { CertificateAuthenticator, staticTokens } from '../auth/authenticator';
import { authenticate, Authentication } from './auth';

const admin: UserInfo = { username: 'admin', groups: ['system:masters'] };
const node: UserInfo = { username: 'system:node:w1', groups: ['system:nodes'] };

/** Runs the authenticate middleware; the user it set, or the HTTP code it refused with. */
async function who(auth: Authentication, headers: Record<string, string> = {}): Promise<UserInfo | number> {
  const res = { locals: {} as Record<string, unknown> };
  try {
    await authenticate(auth)({ headers, socket: {} } as unknown as Request, res as unknown as Response, () => undefined);
    return res.locals.user as UserInfo;
  } catch (err) {
    return (err as StatusError).status.code;
  }
}

const certificate = (answer: ReturnType<CertificateAuthenticator['authenticateConnection']>): CertificateAuthenticator => ({
  authenticateConnection: () => answer,
});
const tokens = staticTokens(new Map([['admin-token', admin]]));

describe('the union authenticator', () => {
  it('takes a known bearer token, adding system:authenticated', async () => {
    expect(await who({ tokens, anonymous: true }, { authorization: 'Bearer admin-token' })).toEqual({
      username: 'admin',
      groups: ['system:masters', 'system:authenticated'],
    });
  });

  it('refuses an unknown token with 401 even when anonymous requests are allowed', async () => {
    expect(await who({ tokens, anonymous: true }, { authorization: 'Bearer wrong' })).toBe(401);
  });

  it('makes a request without credentials system:anonymous, or a 401 with --anonymous-auth=false', async () => {
    expect(await who({ tokens, anonymous: true })).toEqual({ username: 'system:anonymous', groups: ['system:unauthenticated'] });
    expect(await who({ tokens, anonymous: false })).toBe(401);
  });

  it('takes a verified client certificate before any token', async () => {
    expect(await who({ certificates: certificate({ user: node }), tokens, anonymous: true }, { authorization: 'Bearer wrong' })).toEqual({
      username: 'system:node:w1',
      groups: ['system:nodes', 'system:authenticated'],
    });
  });

  it('refuses a certificate that does not verify, unless a valid token comes with it', async () => {
    const refused = certificate({ refused: 'unknown authority' });
    expect(await who({ certificates: refused, tokens, anonymous: true })).toBe(401);
    expect(await who({ certificates: refused, tokens, anonymous: true }, { authorization: 'Bearer admin-token' })).toMatchObject({
      username: 'admin',
    });
  });
});
