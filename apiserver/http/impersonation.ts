// Impersonation (k8s.io/apiserver's WithImpersonation): `kubectl --as=jane --as-group=devs` sends
// Impersonate-User / Impersonate-Group / Impersonate-Uid / Impersonate-Extra-<key> headers. The signed-in
// user must be allowed the `impersonate` verb on each (users, groups, serviceaccounts, uids, userextras);
// the request then runs, and is authorized, as the impersonated user.
import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { UserInfo } from '../../shared/api/authentication';
import { badRequest } from '../../shared/errors';
import { Attributes, Authorizer, forbiddenError } from '../auth/authorizer';
import { authenticatedUser, userOf } from './auth';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
const EXTRA_PREFIX = 'impersonate-extra-';

/** Who a request asks to become. */
export type ImpersonationRequest = UserInfo & { groups: string[] };

/** What the headers ask to become; undefined when the request impersonates nobody. */
export function impersonationRequest(headers: IncomingHttpHeaders): ImpersonationRequest | undefined {
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : v.split(',').map((s) => s.trim()));
  const username = headers['impersonate-user'] as string | undefined;
  const groups = list(headers['impersonate-group']);
  const uid = headers['impersonate-uid'] as string | undefined;
  const extra: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(EXTRA_PREFIX)) extra[decodeURIComponent(name.slice(EXTRA_PREFIX.length))] = list(value);
  }
  const others = groups.length > 0 || uid !== undefined || Object.keys(extra).length > 0;
  if (username === undefined) {
    if (others) throw badRequest('requested impersonation of groups, uid or extra without impersonating a user');
    return undefined;
  }
  return { username, groups, ...(uid !== undefined ? { uid } : {}), ...(Object.keys(extra).length ? { extra } : {}) };
}

/** The `impersonate` checks one impersonation needs, as resource attributes. */
export function impersonationChecks(wanted: ImpersonationRequest): Omit<Attributes, 'user' | 'path'>[] {
  const check = (resource: string, name: string, opts: { apiGroup?: string; namespace?: string; subresource?: string } = {}) => ({
    isResourceRequest: true,
    verb: 'impersonate',
    apiGroup: opts.apiGroup ?? '',
    apiVersion: '',
    namespace: opts.namespace ?? '',
    resource,
    subresource: opts.subresource ?? '',
    name,
  });
  const checks = [];
  if (wanted.username.startsWith(SERVICE_ACCOUNT_PREFIX)) {
    const [namespace, name] = wanted.username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
    checks.push(check('serviceaccounts', name ?? '', { namespace }));
  } else {
    checks.push(check('users', wanted.username));
  }
  for (const g of wanted.groups) checks.push(check('groups', g));
  if (wanted.uid !== undefined) checks.push(check('uids', wanted.uid, { apiGroup: 'authentication.k8s.io' }));
  for (const [key, values] of Object.entries(wanted.extra ?? {}) as [string, string[]][]) {
    for (const v of values) checks.push(check('userextras', v, { apiGroup: 'authentication.k8s.io', subresource: key }));
  }
  return checks;
}

/** The user the request becomes: a service account keeps its groups; everyone but anonymous is authenticated. */
export function impersonatedUser(wanted: ImpersonationRequest): UserInfo {
  const groups = [...wanted.groups];
  if (wanted.username.startsWith(SERVICE_ACCOUNT_PREFIX) && groups.length === 0) {
    const namespace = wanted.username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':')[0];
    groups.push('system:serviceaccounts', `system:serviceaccounts:${namespace}`);
  }
  const user: UserInfo = { ...wanted, groups };
  return wanted.username === 'system:anonymous' ? user : authenticatedUser(user);
}

export function impersonate(authorizer: Authorizer) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const wanted = impersonationRequest(req.headers);
    if (wanted) {
      const user = userOf(res);
      for (const check of impersonationChecks(wanted)) {
        const attrs: Attributes = { ...check, path: req.path, user };
        const decision = await authorizer.authorize(attrs);
        if (decision.decision !== 'allow') throw forbiddenError(attrs, decision.reason);
      }
      res.locals.user = impersonatedUser(wanted);
    }
    next();
  };
}
