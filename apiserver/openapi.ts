// OpenAPI, as little as kubectl's client-side validation needs (KUBECTL.md, option A): no v3 document,
// and an empty protobuf v2 document. kubectl then finds no schema for a kind and skips client-side
// validation; the server validates every write itself.
import { Router } from 'express';
import { notFound } from '../shared/errors';

export function openapiRouter(): Router {
  const router = Router();
  const emptyV2 = (_req: unknown, res: { type(t: string): { send(b: Buffer): void } }) =>
    res.type('application/com.github.proto-openapi.spec.v2.v1.0+protobuf').send(Buffer.alloc(0));
  router.get('/openapi/v2', emptyV2);
  router.get('/swagger-2.0.0.pb-v1', emptyV2);
  router.get(/^\/openapi\/v3/, (_req, res) => {
    const status = notFound('openapi', 'v3').status;
    res.status(404).json({ ...status, message: 'the server could not find the requested resource', details: undefined });
  });
  return router;
}
