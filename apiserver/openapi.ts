// OpenAPI, generated from the schemas the apiserver decodes with (shared/api/openapi):
//   GET /openapi/v3                     {"paths":{"apis/apps/v1":{"serverRelativeURL":"/openapi/v3/apis/apps/v1?hash=..."}}}
//   GET /openapi/v3/apis/apps/v1?hash=  one group version's document (kubectl explain, and --validate's
//                                       check that PATCH takes fieldValidation, which hands validation to us)
//   GET /openapi/v2                     Swagger 2.0 in JSON; an empty protobuf document to protobuf clients
// A document's hash is its ETag: asked for by its current hash it may be cached for good; an old hash is
// redirected to the current one, as Kubernetes does.
import { createHash } from 'node:crypto';
import { Request, Response, Router } from 'express';
import { notFound, StatusError } from '../shared/errors';
import { DEFINITIONS } from '../shared/api/openapi';
import type { Definitions } from '../shared/api/openapi';
import type { ResourceInfo } from '../shared/api/resources';
import { SERVED } from './discovery';
import { v2Document, v3Documents } from './openapi/documents';

/** The bytes of a document and their hash. */
interface Served {
  body: Buffer;
  hash: string;
}

function served(doc: unknown): Served {
  const body = Buffer.from(JSON.stringify(doc));
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
}

/** kubectl 1.27 and 1.28 read /openapi/v2 as gnostic protobuf; an empty body is a valid empty document. */
const PROTOBUF_V2 = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

function notFoundStatus(): StatusError {
  return new StatusError({ ...notFound('', '').status, message: 'the server could not find the requested resource', details: undefined });
}

function send(req: Request, res: Response, doc: Served): void {
  res.setHeader('ETag', `"${doc.hash}"`);
  res.setHeader('Vary', 'Accept');
  const hash = req.query.hash;
  if (typeof hash === 'string' && hash !== doc.hash) {
    res.redirect(301, `${req.path}?hash=${doc.hash}`);
    return;
  }
  res.setHeader('Cache-Control', hash ? 'public, immutable' : 'no-cache, private');
  if (req.headers['if-none-match'] === `"${doc.hash}"`) {
    res.status(304).end();
    return;
  }
  res.type('application/json').send(doc.body);
}

/** Resources added at run time (custom resources) and their schemas; the documents are rebuilt when they change. */
export interface OpenAPISource {
  resources(): ResourceInfo[];
  definitions(): Definitions;
  onChange(listener: () => void): void;
}

export function openapiRouter(custom?: OpenAPISource): Router {
  const router = Router();
  let v3: Map<string, Served> | undefined;
  let v2: Served | undefined;
  custom?.onChange(() => {
    v3 = undefined;
    v2 = undefined;
  });
  const resources = () => (custom ? [...SERVED, ...custom.resources()] : SERVED);
  const definitions = () => (custom ? { ...DEFINITIONS, ...custom.definitions() } : DEFINITIONS);
  const documents = () => (v3 ??= new Map([...v3Documents(resources(), definitions())].map(([gv, doc]) => [gv, served(doc)])));

  const emptyV2 = (_req: Request, res: Response) => void res.type(PROTOBUF_V2).send(Buffer.alloc(0));
  router.get('/openapi/v2', (req, res) => {
    if ((req.headers.accept ?? '').includes('protobuf')) return emptyV2(req, res);
    send(req, res, (v2 ??= served(v2Document(resources(), definitions()))));
  });
  router.get('/swagger-2.0.0.pb-v1', emptyV2);
  router.get('/openapi/v3', (_req, res) => {
    const paths = Object.fromEntries(
      [...documents()].map(([gv, doc]) => [gv, { serverRelativeURL: `/openapi/v3/${gv}?hash=${doc.hash}` }]),
    );
    res.json({ paths });
  });
  router.get(/^\/openapi\/v3\/(.+)$/, (req, res) => {
    const doc = documents().get(req.path.slice('/openapi/v3/'.length));
    if (!doc) throw notFoundStatus();
    send(req, res, doc);
  });
  return router;
}
