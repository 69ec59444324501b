// `node dist/deploy/pki/main.js`: makes (or completes) a cluster's certificates, tokens and kubeconfigs
// in --data-dir. docker-compose runs it before the apiserver; `npm run up` calls it in-process.
import { parseFlags } from '../../shared/flags';
import { newLogger } from '../../shared/log';
import { ensureClusterCredentials, writeUserKubeconfigs } from './credentials';

const flags = parseFlags({
  'data-dir': { default: '.data', help: 'where pki/, kubeconfig, kubeconfig-viewer and components/ go' },
  server: { default: 'https://127.0.0.1:6443', help: 'the apiserver URL written into the kubeconfigs' },
  'extra-servers': { default: '', help: 'comma-separated URLs of more apiservers, which the components balance over' },
  'apiserver-cert-extra-sans': { default: '', help: 'comma-separated extra names and IPs for the apiserver certificate' },
  'kubernetes-service-ip': { default: '10.96.0.1', help: 'the cluster IP of the kubernetes Service' },
  nodes: { default: 'node-1,node-2', help: 'comma-separated node names to make kubelet credentials for' },
});

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const log = newLogger('pki');
const options = {
  dataDir: flags['data-dir'],
  server: flags.server,
  servers: list(flags['extra-servers']),
  extraSANs: list(flags['apiserver-cert-extra-sans']),
  kubernetesServiceIP: flags['kubernetes-service-ip'],
  nodes: list(flags.nodes),
};
const creds = ensureClusterCredentials(options);
writeUserKubeconfigs(options);
log.info({ pki: creds.pkiDir, admin: creds.adminKubeconfig, viewer: creds.viewerKubeconfig }, 'cluster credentials ready');
