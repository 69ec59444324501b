// Authentication and authorization in front of every endpoint but the health checks. A verified client
// certificate, else a bearer token (--token-auth-file, bootstrap tokens), names the user; a token nobody
// knows is a 401, and a request with no credential is system:anonymous (unless --anonymous-auth=false,
// then 401), which RBAC lets read almost nothing. Then the authorizer chain decides; a refusal is a 403
// naming the user, verb and resource.
import type { TLSSocket } from 'node:tls';
import type { NextFunction, Request, Response } from 'express';
import type { UserInfo } from '../../shared/api/authentication';
import { StatusError, statusFailure } from '../../shared/errors';
import { ANONYMOUS, CertificateAuthenticator, TokenAuthenticator } from '../auth/authenticator';
import { Attributes, Authorizer, forbiddenError } from '../auth/authorizer';
import { RequestInfo, requestInfo } from '../auth/requestinfo';
import { flag, Query } from './query';

/** Paths anyone may read without credentials: load balancers and probes cannot present a token. */
export const PUBLIC_PATHS = ['/healthz', '/livez', '/readyz'];

export const unauthorized = () => new StatusError(statusFailure(401, 'Unauthorized', 'Unauthorized'));

/** The user a request was authenticated as (set by `authenticate`). */
export function userOf(res: Response): UserInfo {
  return res.locals.user as UserInfo;
}

export function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** Signed-in users are also in system:authenticated, as Kubernetes adds it. */
export function authenticatedUser(user: UserInfo): UserInfo {
  return { ...user, groups: [...new Set([...(user.groups ?? []), 'system:authenticated'])] };
}

export interface Authentication {
  /** Client certificates, when --client-ca-file is set. */
  certificates?: CertificateAuthenticator;
  tokens: TokenAuthenticator;
  /** --anonymous-auth */
  anonymous: boolean;
}

/**
 * The union authenticator: a verified client certificate, else the bearer token, else anonymous. A
 * token nobody knows, or a certificate that does not verify with no token to stand in, is a 401.
 */
export function authenticate({ certificates, tokens, anonymous }: Authentication) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const byCertificate = certificates?.authenticateConnection(req.socket as TLSSocket);
    const token = bearerToken(req);
    let user = byCertificate && 'user' in byCertificate ? byCertificate.user : undefined;
    if (!user && token !== undefined) {
      user = await tokens.authenticateToken(token);
      if (!user) throw unauthorized();
    }
    if (user) res.locals.user = authenticatedUser(user);
    else if (!byCertificate && anonymous) res.locals.user = ANONYMOUS;
    else throw unauthorized();
    next();
  };
}

/** The request's RequestInfo, worked out once per request: logging, authorization and limits read it. */
export function requestInfoOf(req: Request, res: Response): RequestInfo {
  return (res.locals.requestInfo ??= requestInfo(req.method, req.path, flag(req.query as Query, 'watch')));
}

/**
 * For creates, the name in the body: the Node authorizer lets a kubelet create only its own Node. Read
 * only when asked (a kubelet's creates), not parsed again for every POST.
 */
function createdName(req: Request): string | undefined {
  if (req.method !== 'POST' || !Buffer.isBuffer(req.body) || req.body.length === 0) return undefined;
  try {
    return (JSON.parse(req.body.toString()) as { metadata?: { name?: string } })?.metadata?.name;
  } catch {
    return undefined; // the handler reports the malformed body
  }
}

export function authorize(authorizer: Authorizer) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const attrs: Attributes = { ...requestInfoOf(req, res), user: userOf(res), createdName: () => createdName(req) };
    const decision = await authorizer.authorize(attrs);
    if (decision.decision !== 'allow') throw forbiddenError(attrs, decision.reason);
    next();
  };
}
