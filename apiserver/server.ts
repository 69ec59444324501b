// The apiserver's HTTP application: request logging and metrics, body limits, health, discovery,
// OpenAPI, version, and the resource endpoints. Every error leaves as a Kubernetes Status.
import express, { NextFunction, Request, Response } from 'express';
import { findResource } from '../shared/api/resources';
import type { MutationPlugin, ValidationPlugin } from './admission/admission';
import type { CustomResources } from './apiextensions/customresources';
import type { Authorizer } from './auth/authorizer';
import { resourceWithSubresource } from './auth/requestinfo';
import { Authentication, authenticate, authorize, PUBLIC_PATHS, requestInfoOf } from './http/auth';
import { impersonate } from './http/impersonation';
import { reviewsRouter } from './http/reviews';
import type { RuleResolver } from './auth/rbac';
import { watchLimit } from './http/limits';
import { MAX_BODY_BYTES } from './http/body';
import { metricsRouter } from './http/metricsapi';
import { isProxyPath } from './http/path';
import { ResourceHandler } from './http/resources';
import { badRequest, notFound, requestEntityTooLarge, StatusError, toStatus } from '../shared/errors';
import type { Logger } from '../shared/log';
import { discoveryRouter } from './discovery';
import { KubeletClient } from './kubeletclient';
import { registry, requestDuration, requestTotal } from './metrics';
import { openapiRouter } from './openapi';
import type { NamespaceLister } from './registry/core/namespaces';
import type { Storage } from './storage/interface';
import { versionRouter } from './version';
import type { Stores } from './registry';
import type { TokenIssuer } from './registry/core/tokenrequest';
import { Nodes, Pods } from '../shared/api/resources';

function requestLog(log: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.on('close', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const info = requestInfoOf(req, res);
      // Only served resources become label values: arbitrary paths must not grow the metric without bound.
      const served = info.isResourceRequest && findResource(info.apiGroup, info.resource);
      const [verb, resource] = [info.verb, served ? resourceWithSubresource(info) : ''];
      requestTotal.inc({ verb, resource, code: res.statusCode });
      requestDuration.observe({ verb, resource }, ms / 1000);
      log.info(
        {
          verb,
          path: req.originalUrl,
          code: res.statusCode,
          ms: Math.round(ms * 10) / 10,
          ua: (req.headers['user-agent'] ?? '').split(' ')[0],
        },
        'request',
      );
    });
    next();
  };
}

function sendStatus(res: Response, err: unknown): void {
  const status = toStatus(err);
  if (res.headersSent) {
    res.end();
    return;
  }
  // A Status that says when to try again says it in the header too, as Kubernetes' response writers do.
  if (status.details?.retryAfterSeconds) res.setHeader('Retry-After', String(status.details.retryAfterSeconds));
  res.status(status.code).json(status);
}

export interface ServerConfig {
  storage: Storage;
  stores: Stores;
  namespaces: NamespaceLister;
  log: Logger;
  /** Who sent a request: client certificates, bearer tokens, anonymous. */
  authentication: Authentication;
  authorizer: Authorizer;
  /** RBAC's rules of a user, for SelfSubjectRulesReview (`kubectl auth can-i --list`). */
  rules?: RuleResolver;
  /** Validating admission of users' writes (RBAC escalation, NodeRestriction). */
  admission: ValidationPlugin;
  /** Mutating admission of users' creates (ServiceAccount). */
  mutatingAdmission?: MutationPlugin;
  /** The credential presented to kubelets when the API streams logs or reads usage from them. */
  kubeletClient: { cert?: Buffer; key?: Buffer };
  /** The resources CustomResourceDefinitions add, served beside the built-in ones. */
  customResources?: CustomResources;
  /** How ServiceAccount tokens are made (serviceaccounts/<name>/token). */
  tokenIssuer?: TokenIssuer;
}

export function createApp({
  storage,
  stores,
  namespaces,
  log,
  authentication,
  authorizer,
  rules,
  admission,
  mutatingAdmission,
  kubeletClient,
  customResources,
  tokenIssuer,
}: ServerConfig): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Flat parameters, repeated ones as arrays, as Go's url.ParseQuery reads them: brackets are plain
  // characters (qs's 'extended' nesting, `a[b][c]=`, is no part of Kubernetes' API), at most 1000 kept.
  app.set('query parser', 'simple');
  app.use(requestLog(log));

  // Health checks answer everyone; everything else needs a credential (or RBAC's leave for anonymous) and permission.
  app.get(
    PUBLIC_PATHS.filter((p) => p !== '/readyz'),
    (_req, res) => void res.type('text/plain').send('ok'),
  );
  app.get('/readyz', async (_req, res) => {
    if (await storage.healthy()) res.type('text/plain').send('ok');
    else res.status(503).type('text/plain').send('[-]etcd failed: etcd is not answering\nreadyz check failed');
  });

  app.use(authenticate(authentication));
  // Every body is read here, except a proxied request's, which streams on to its backend.
  app.use(express.raw({ type: (req) => !isProxyPath((req as Request).path ?? ''), limit: MAX_BODY_BYTES }));
  app.use(impersonate(authorizer));
  app.use(authorize(authorizer));
  app.use(watchLimit());
  // Resource requests (nearly all of them) first: no path of the routers below names a served resource, and
  // each router walked costs every create and get a path match per route.
  const kubelets = new KubeletClient(kubeletClient);
  const resources = new ResourceHandler(stores, namespaces, kubelets, admission, customResources, tokenIssuer, mutatingAdmission);
  app.use(async (req, res, next) => {
    if (!(await resources.handle(req, res))) next();
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.use(reviewsRouter(authentication.tokens, authorizer, rules));
  app.use(versionRouter());
  app.use(discoveryRouter(customResources && (() => customResources.resources())));
  app.use(openapiRouter(customResources));
  app.use(metricsRouter(kubelets, stores.of(Nodes), stores.of(Pods)));
  app.use((_req, _res) => {
    throw new StatusError({ ...notFound('', '').status, message: 'the server could not find the requested resource', details: undefined });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: unknown };
    if (e?.type === 'entity.too.large') return sendStatus(res, requestEntityTooLarge());
    if (typeof e?.type === 'string' && e.type.startsWith('entity.')) return sendStatus(res, badRequest(String((err as Error).message)));
    if (!(err instanceof StatusError)) log.error({ err }, 'request failed');
    sendStatus(res, err);
  });
  return app;
}
