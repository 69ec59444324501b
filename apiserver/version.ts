// GET /version: the version of shared/version.ts with the build details kubectl prints.
import { Router } from 'express';
import { KUBERNETES_VERSION } from '../shared/version';

export function versionInfo() {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-11-24T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

export function versionRouter(): Router {
  const router = Router();
  router.get('/version', (_req, res) => void res.json(versionInfo()));
  return router;
}
