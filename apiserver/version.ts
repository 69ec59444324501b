// GET /version. The minor version decides which kubectl the /usr/bin/kubectl dispatcher runs: 31 keeps
// kubectl on JSON request bodies (1.32+ send protobuf for `kubectl create deployment` and friends).
import { Router } from 'express';

export const KUBERNETES_VERSION = { major: '1', minor: '31', gitVersion: 'v1.31.0-mini' };

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
