// kube-apiserver: the Kubernetes REST API over etcd, served over HTTPS to users with a token or a client
// certificate. Flags follow the real apiserver's names.
import fs from 'node:fs';
import https from 'node:https';
import type { Secret, ServiceAccount } from '../shared/api/core';
import { isNotFound } from '../shared/errors';
import { runComponent } from '../shared/component';
import { parseBool, parseDuration, parseFlags } from '../shared/flags';
import { newLogger } from '../shared/log';
import { listenWhenAddressExists } from './additionallistener';
import { admissionChain, mutationChain } from './admission/admission';
import { DENY_SERVICE_EXTERNAL_IPS, denyServiceExternalIPs } from './admission/denyserviceexternalips';
import { SERVICE_ACCOUNT_ADMISSION, serviceAccountAdmission } from './admission/serviceaccount';
import { nodeRestriction, PodGetter } from './admission/noderestriction';
import { certificateApproval, certificateSigning, certificateSubjectRestriction } from './admission/certificates';
import { authorizerChain } from './auth';
import { PolicyCache } from './auth/policycache';
import { staticTokens, TokenAuthenticator, unionTokenAuthenticator } from './auth/authenticator';
import { BootstrapTokenAuthenticator } from './auth/bootstraptoken';
import { ServiceAccountTokenAuthenticator } from './auth/serviceaccount';
import { DEFAULT_ISSUER } from './serviceaccount/claims';
import { parsePrivateKeyPEM, parsePublicKeysPEM } from './serviceaccount/jwt';
import type { TokenIssuer } from './registry/core/tokenrequest';
import { RuleResolver } from './auth/rbac';
import { loadTokenFile } from '../shared/tokenfile';
import { x509Authenticator } from './auth/x509';
import { CustomResourceDefinitions } from '../shared/api/resources';
import { CustomResourceDefinitionController } from './apiextensions/crdcontroller';
import { CustomResources } from './apiextensions/customresources';
import { applyAddons, readAddons } from './addons';
import { newLoopback } from './auth/loopback';
import { bootstrap } from './bootstrap';
import { Client } from '../shared/client';
import { answerParserErrors } from '../shared/clienterror';
import { buildStores } from './registry';
import { NamespaceLister } from './registry/core/namespaces';
import { RbacEscalationCheck } from './registry/rbac/policybased';
import { serveUpgrades } from './http/upgrade';
import { createApp } from './server';
import { EtcdStorage } from './storage/etcd';
import { DEFAULT_RECONCILE_INTERVAL_MS, LeaseEndpointReconciler, StorageLeases } from './reconcilers/lease';
import { specialIPReason } from '../shared/nonspecialip';
import { Namespaces, Pods, ResourceInfo, Secrets, ServiceAccounts } from '../shared/api/resources';

/** Admission plugins an administrator may turn off here; the others always run. */
const OPTIONAL_ADMISSION_PLUGINS = [DENY_SERVICE_EXTERNAL_IPS, SERVICE_ACCOUNT_ADMISSION];

const flags = parseFlags({
  'etcd-servers': { default: 'http://127.0.0.1:2379', help: 'comma-separated etcd endpoints' },
  'etcd-cafile': { help: "the CA of etcd's serving certificate (for https endpoints)" },
  'etcd-certfile': { help: 'the client certificate presented to etcd' },
  'etcd-keyfile': { help: 'its private key' },
  'secure-port': { default: '6443', help: 'the port to serve the API on' },
  'bind-address': { default: '127.0.0.1', help: 'the IP address to listen on (0.0.0.0: every address)' },
  'additional-bind-address': {
    help: 'one more IP address to serve on (not in Kubernetes), bound once this machine has it: the pod bridge gateway a one-machine cluster advertises',
  },
  'advertise-address': { help: 'the IP address the kubernetes Service points at (default: the bind address, or 127.0.0.1 for 0.0.0.0)' },
  'service-cluster-ip-range': { default: '10.96.0.0/12', help: 'the CIDR cluster IPs are allocated from' },
  'service-node-port-range': { default: '30000-32767', help: 'the port range node ports are allocated from' },
  'event-ttl': { default: '1h', help: 'how long events are kept after their last change (etcd deletes them)' },
  'etcd-compaction-interval': { default: '5m', help: 'how often old etcd revisions are compacted (0 disables)' },
  'etcd-compaction-keep': { default: '10000', help: 'how many recent revisions compaction keeps' },
  // Required: the API is served over HTTPS to authenticated users only.
  'tls-cert-file': { required: true, help: 'the serving certificate (PEM; the CA may follow it)' },
  'tls-private-key-file': { required: true, help: "the serving certificate's private key (PEM)" },
  'token-auth-file': { required: true, help: 'the users: a CSV of token,user,uid,"group1,group2"' },
  'client-ca-file': { help: 'authenticate client certificates signed by this CA (CN = user, O = groups)' },
  'enable-bootstrap-token-auth': { default: 'false', help: 'authenticate bootstrap tokens (Secrets kube-system/bootstrap-token-<id>)' },
  'anonymous-auth': { default: 'true', help: 'requests without credentials are system:anonymous (else 401)' },
  'authorization-mode': { default: 'Node,RBAC', help: 'the authorizers, in order: Node, RBAC, AlwaysAllow' },
  'kubelet-client-certificate': { help: 'the client certificate the apiserver presents to kubelets (logs)' },
  'kubelet-client-key': { help: 'its private key' },
  'endpoint-reconciler-type': {
    default: 'lease',
    help: "how the kubernetes Service's endpoints are kept: lease (every apiserver renews a record with a TTL and writes the live ones) or none",
  },
  'addons-dir': {
    default: '',
    help: "manifests applied at every start (server-side apply, field manager addon-manager), as k3s's manifests directory",
  },
  'service-account-signing-key-file': {
    required: true,
    help: 'the private key (RSA, PEM) that signs ServiceAccount tokens (serviceaccounts/<name>/token)',
  },
  'service-account-key-file': {
    repeatable: true,
    help: 'PEM files of the public (or private) keys ServiceAccount tokens may be signed with; repeatable or comma-separated (default: the signing key)',
  },
  'service-account-issuer': {
    default: DEFAULT_ISSUER,
    repeatable: true,
    help: "the tokens' issuer (iss): the first issues, all are accepted; repeatable or comma-separated",
  },
  'api-audiences': { help: "whom the API's tokens are for (comma-separated; default: the first issuer)" },
  'service-account-max-token-expiration': { help: 'the longest lifetime a TokenRequest gets (e.g. 48h; default: no limit)' },
  'disable-admission-plugins': {
    default: '',
    repeatable: true,
    help: `admission plugins to turn off (comma-separated, repeatable): ${DENY_SERVICE_EXTERNAL_IPS} lets Services use externalIPs, ${SERVICE_ACCOUNT_ADMISSION} leaves pods without a ServiceAccount and its token`,
  },
});

const log = newLogger('apiserver');
const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const port = Number(flags['secure-port']);
const bindAddress = flags['bind-address'];
const advertiseAddress = flags['advertise-address'] ?? (bindAddress === '0.0.0.0' ? '127.0.0.1' : bindAddress);
const serviceCIDR = flags['service-cluster-ip-range'];
const endpointReconcilerType = flags['endpoint-reconciler-type'];
if (!['lease', 'none'].includes(endpointReconcilerType))
  throw new Error(`--endpoint-reconciler-type: ${endpointReconcilerType} is not one of lease, none`);
const disabledPlugins = flags['disable-admission-plugins'].split(',').filter(Boolean);
for (const plugin of disabledPlugins) {
  if (!OPTIONAL_ADMISSION_PLUGINS.includes(plugin))
    throw new Error(`--disable-admission-plugins: ${plugin} cannot be turned off (only ${OPTIONAL_ADMISSION_PLUGINS.join(', ')})`);
}

type Flag = keyof typeof flags;
const read = (flag: Flag) => (flags[flag] ? fs.readFileSync(flags[flag]) : undefined);

const etcdTLS = flags['etcd-cafile'] ? { ca: read('etcd-cafile')!, cert: read('etcd-certfile')!, key: read('etcd-keyfile')! } : undefined;
const storage = new EtcdStorage(flags['etcd-servers'].split(','), etcdTLS);
const kubeletClient = { cert: read('kubelet-client-certificate'), key: read('kubelet-client-key') };
const namespaces = new NamespaceLister(() => stores.of(Namespaces));
const stores = buildStores(
  storage,
  storage,
  {
    serviceCIDR,
    nodePortRange: flags['service-node-port-range'],
    eventTTLSeconds: Math.ceil(parseDuration(flags['event-ttl']) / 1000),
  },
  namespaces,
);
// What admission and authorization read on every request, mirrored in memory.
const policy = new PolicyCache(stores, log);
const stopMirrors = new AbortController();
policy.run(stopMirrors.signal);
namespaces.run(stopMirrors.signal, log);
// CustomResourceDefinitions, from storage: what they define is served, and their controllers run here.
const crdStore = stores.of(CustomResourceDefinitions);
const customResources = new CustomResources(storage, crdStore, log);
customResources.run(stopMirrors.signal);
void new CustomResourceDefinitionController(customResources, crdStore, storage, log).run(stopMirrors.signal);
const secrets = stores.of(Secrets);
const loopback = newLoopback();
const tokenAuthenticators: TokenAuthenticator[] = [loopback.authenticator, staticTokens(loadTokenFile(flags['token-auth-file']))];
if (parseBool(flags['enable-bootstrap-token-auth']))
  tokenAuthenticators.push(
    new BootstrapTokenAuthenticator(async (name) => {
      try {
        return (await secrets.get('kube-system', name)) as Secret;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    }),
  );
// ServiceAccount tokens: signed with one key, verified with all (a rotated-out key still verifies until removed).
const signingKeyFile = flags['service-account-signing-key-file'];
const issuers = list(flags['service-account-issuer']);
const apiAudiences = flags['api-audiences'] ? list(flags['api-audiences']) : issuers.slice(0, 1);
const maxExpiration = flags['service-account-max-token-expiration'];
const tokenIssuer: TokenIssuer = {
  issuer: issuers[0],
  apiAudiences,
  signingKey: parsePrivateKeyPEM(fs.readFileSync(signingKeyFile, 'utf8'), signingKeyFile),
  maxExpirationSeconds: maxExpiration ? Math.floor(parseDuration(maxExpiration) / 1000) : 0,
};
const verifyingKeys = (flags['service-account-key-file'] ? list(flags['service-account-key-file']) : [signingKeyFile]).flatMap((file) =>
  parsePublicKeysPEM(fs.readFileSync(file, 'utf8'), file),
);
const getOrUndefined = (r: ResourceInfo) => (namespace: string, name: string) =>
  stores
    .of(r)
    .get(namespace, name)
    .catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
tokenAuthenticators.push(
  new ServiceAccountTokenAuthenticator({
    issuers,
    keys: verifyingKeys,
    apiAudiences,
    getter: { serviceAccount: getOrUndefined(ServiceAccounts), pod: getOrUndefined(Pods), secret: getOrUndefined(Secrets) },
    log,
  }),
);
const rules = new RuleResolver(policy);
const authorizer = authorizerChain(flags['authorization-mode'].split(','), stores, policy);
const app = createApp({
  storage,
  stores,
  namespaces,
  log,
  authentication: {
    certificates: flags['client-ca-file'] ? x509Authenticator : undefined,
    tokens: unionTokenAuthenticator(tokenAuthenticators),
    anonymous: parseBool(flags['anonymous-auth']),
  },
  authorizer,
  rules,
  mutatingAdmission: mutationChain(
    disabledPlugins.includes(SERVICE_ACCOUNT_ADMISSION)
      ? []
      : [serviceAccountAdmission(async (namespace, name) => (await stores.of(ServiceAccounts).get(namespace, name)) as ServiceAccount)],
  ),
  admission: admissionChain([
    new RbacEscalationCheck(rules, authorizer),
    nodeRestriction(getOrUndefined(Pods) as PodGetter),
    certificateApproval(authorizer),
    certificateSigning(authorizer),
    certificateSubjectRestriction,
    ...(disabledPlugins.includes(DENY_SERVICE_EXTERNAL_IPS) ? [] : [denyServiceExternalIPs]),
  ]),
  kubeletClient,
  customResources,
  tokenIssuer,
});
// With a client CA, a client certificate is asked for but not required (tokens and anonymous remain).
const clientCA = read('client-ca-file');
const server = https.createServer(
  {
    cert: read('tls-cert-file'),
    key: read('tls-private-key-file'),
    ...(clientCA ? { ca: clientCA, requestCert: true, rejectUnauthorized: false } : {}),
  },
  app,
);
serveUpgrades(server, app); // exec, attach, port-forward
// A client has 60 s to send its whole request (headers and body); the response, a watch or a log stream,
// may last as long as it likes. Headers are capped at Node's 16 KiB (431 beyond, answered before the
// connection closes).
answerParserErrors(server);
server.headersTimeout = 60_000;
server.requestTimeout = 60_000;
server.keepAliveTimeout = 65_000;

server.listen(port, bindAddress, () =>
  log.info({ address: `${bindAddress}:${port}`, etcd: flags['etcd-servers'] }, 'serving the Kubernetes API'),
);
const stopAdditionalListener = new AbortController();
if (flags['additional-bind-address'])
  listenWhenAddressExists(server, flags['additional-bind-address'], port, log, stopAdditionalListener.signal);

/** Waits for etcd, then creates what every cluster has. /readyz answers 503 until etcd does. */
async function start(): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await bootstrap(stores, { serviceCIDR, securePort: port }, log);
      return;
    } catch (err) {
      if (attempt % 10 === 0) log.warn({ err }, 'waiting for etcd');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
/**
 * Applies the add-ons through the loopback client, and all of them again every 5 s for a minute while one
 * fails (a write refused while the RBAC and namespace mirrors still load). The client talks to this
 * process's own listening socket, so it does not check the serving certificate, whose CA this process
 * need not hold (kube-apiserver's loopback client trusts a self-signed certificate it made itself).
 */
async function applyAddonsUntilDone(dir: string): Promise<void> {
  const client = new Client({
    server: `https://${bindAddress === '0.0.0.0' ? '127.0.0.1' : bindAddress}:${port}`,
    token: loopback.token,
    insecureSkipTLSVerify: true,
    discoverServers: false,
    userAgent: 'kube-apiserver/addon-manager',
  });
  const addonLog = log.child({ controller: 'addon-manager' });
  for (let attempt = 1; ; attempt++) {
    try {
      if (!(await applyAddons(client, readAddons(dir), addonLog))) return;
    } catch (err) {
      addonLog.error({ err, dir }, 'cannot read the add-on manifests');
      return;
    }
    if (attempt === 12) return addonLog.error({ dir }, 'some add-ons were not applied; they are tried again at the next start');
    await new Promise((r) => setTimeout(r, 5000));
  }
}

const compactionMs = parseDuration(flags['etcd-compaction-interval']);
const compaction =
  compactionMs > 0
    ? setInterval(() => {
        storage.compact(Number(flags['etcd-compaction-keep'])).catch((err) => log.warn({ err }, 'compaction failed'));
      }, compactionMs)
    : undefined;

runComponent('apiserver', log, async (lifecycle) => {
  lifecycle.onShutdown(async () => {
    if (compaction) clearInterval(compaction);
    stopMirrors.abort();
    stopAdditionalListener.abort();
    server.close();
    server.closeAllConnections();
    for (const store of stores.values()) store.close();
    storage.close();
    await new Promise((r) => setTimeout(r, 200)); // etcd's connections close
  });
  await start();
  if (flags['addons-dir']) void applyAddonsUntilDone(flags['addons-dir']);
  // Endpoints may not be loopback or link-local (the apiserver refuses them, as Kubernetes does): an
  // apiserver advertising 127.0.0.1, on a one-machine cluster, does not put itself in the kubernetes Service.
  const refused = specialIPReason(advertiseAddress);
  if (refused) log.warn({ advertiseAddress }, `not in the kubernetes Service's endpoints: the advertise address ${refused}`);
  if (endpointReconcilerType === 'lease' && !refused) {
    const self = { ip: advertiseAddress, port };
    const reconciler = new LeaseEndpointReconciler(new StorageLeases(storage), stores, log);
    const stopReconciling = new AbortController();
    void reconciler.run(self, DEFAULT_RECONCILE_INTERVAL_MS, stopReconciling.signal);
    // Runs before the server and etcd close (steps run last registered first): clients move to the others.
    lifecycle.onShutdown(async () => {
      stopReconciling.abort();
      await reconciler.removeEndpoints(self).catch((err) => log.warn({ err }, 'could not remove this apiserver from the endpoints'));
      log.info({ endpoint: `${advertiseAddress}:${port}` }, "removed this apiserver from the kubernetes Service's endpoints");
    });
    log.info(
      { endpoint: `${advertiseAddress}:${port}` },
      "keeping this apiserver in the kubernetes Service's endpoints (lease reconciler)",
    );
  }
});
