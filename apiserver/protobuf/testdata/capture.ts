// Captures the fixtures of decode.test.ts: for each command, the requests with a body that kubectl 1.31
// (JSON), 1.32 and 1.33 (protobuf) send, as `-v=10` prints them. Creates run with --dry-run=server.
//
//   npm run build && node dist/apiserver/protobuf/testdata/capture.js <admin kubeconfig of a running cluster>
//
// The cluster needs the deployment `web` (autoscale) and the configmap `foo` (delete) in `default`.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { CapturedRequest } from './fixtures';

const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl';
const TLS = '/tmp/capture-tls';
fs.mkdirSync(TLS, { recursive: true });
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=fixture',
    '-keyout',
    `${TLS}/tls.key`,
    '-out',
    `${TLS}/tls.crt`,
  ],
  { stdio: 'ignore' },
);

/** name -> kubectl arguments. */
export const COMMANDS: Record<string, string[]> = {
  'create-configmap': ['create', 'configmap', 'foo', '--from-literal=a=b', '--from-literal=empty='],
  'create-secret-generic': ['create', 'secret', 'generic', 's', '--from-literal=password=s3cr3t', '--from-literal=empty='],
  'create-secret-tls': ['create', 'secret', 'tls', 't', `--cert=${TLS}/tls.crt`, `--key=${TLS}/tls.key`],
  'create-secret-docker-registry': [
    'create',
    'secret',
    'docker-registry',
    'd',
    '--docker-server=registry.example',
    '--docker-username=u',
    '--docker-password=p',
  ],
  'create-service-clusterip': ['create', 'service', 'clusterip', 'c', '--tcp=80:8080'],
  'create-service-nodeport': ['create', 'service', 'nodeport', 'n', '--tcp=80:8080', '--node-port=30080'],
  'create-service-externalname': ['create', 'service', 'externalname', 'e', '--external-name=example.com'],
  'create-serviceaccount': ['create', 'serviceaccount', 'sa'],
  'create-namespace': ['create', 'namespace', 'ns1'],
  'create-deployment': ['create', 'deployment', 'web', '--image=busybox', '--replicas=0', '--', 'sleep', '3600'],
  'create-deployment-port': ['create', 'deployment', 'web', '--image=nginx', '--port=80', '--replicas=2'],
  'create-job': ['create', 'job', 'j', '--image=busybox', '--', 'echo', 'hi'],
  'create-cronjob': ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/1 * * * *', '--', 'echo', 'hi'],
  'create-role': ['create', 'role', 'r', '--verb=get,list', '--resource=pods,deployments.apps', '--resource-name=x'],
  'create-rolebinding': ['create', 'rolebinding', 'rb', '--role=r', '--user=u', '--group=g', '--serviceaccount=default:sa'],
  'create-clusterrole': ['create', 'clusterrole', 'cr', '--verb=get', '--resource=nodes', '--non-resource-url=/healthz'],
  'create-clusterrole-aggregated': ['create', 'clusterrole', 'agg', '--aggregation-rule=a=b'],
  'create-clusterrolebinding': ['create', 'clusterrolebinding', 'crb', '--clusterrole=cr', '--user=u'],
  'create-quota': ['create', 'quota', 'q', '--hard=pods=2,cpu=1500m,memory=1Gi', '--scopes=NotBestEffort'],
  'create-pdb': ['create', 'pdb', 'p', '--selector=app=web', '--min-available=50%'],
  'create-pdb-max': ['create', 'pdb', 'pm', '--selector=app=web', '--max-unavailable=1'],
  'create-priorityclass': ['create', 'priorityclass', 'pc', '--value=0', '--description=zero'],
  'create-ingress': ['create', 'ingress', 'i', '--rule=example.com/path*=svc:80'],
  'create-token': ['create', 'token', 'sa', '--duration=10m', '--audience=a'],
  'auth-can-i': ['auth', 'can-i', 'get', 'pods'],
  'auth-can-i-subresource': ['auth', 'can-i', 'create', 'pods/exec', '-n', 'kube-system'],
  'auth-can-i-nonresource': ['auth', 'can-i', 'get', '/healthz'],
  'auth-can-i-list': ['auth', 'can-i', '--list'],
  'auth-whoami': ['auth', 'whoami'],
  autoscale: ['autoscale', 'deployment', 'web', '--min=1', '--max=3', '--cpu-percent=50'],
  delete: ['delete', 'configmap', 'foo', '--grace-period=0'],
};

/** Commands that would store or delete something run with --dry-run=server (`create token` has none). */
const DRY_RUN = new Set(['create', 'autoscale', 'delete']);

/** The requests with a body in a -v=10 log: each body is followed by the request's curl command line. */
function requestsIn(log: string): CapturedRequest[] {
  const requests: CapturedRequest[] = [];
  let body: unknown;
  const lines = log.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const json = /Request Body: (.*)$/.exec(lines[i]);
    if (json) body = JSON.parse(json[1]);
    if (/"Request Body" body=<$/.test(lines[i])) {
      const dump: string[] = [];
      while (!/^ >/.test(lines[++i])) dump.push(lines[i].trim());
      body = /^[0-9a-f]{8} /.test(dump[0] ?? '') ? dump : JSON.parse(dump.join('\n')); // protobuf is hex-dumped, JSON is not
    }
    const curl = /curl -v -X(\w+) .*'(https:\/\/[^']+)'/.exec(lines[i]);
    if (curl && body !== undefined) {
      const url = new URL(curl[2]);
      requests.push({ method: curl[1], path: url.pathname + url.search, body });
      body = undefined;
    }
  }
  return requests;
}

/** What kubectl logs (to stderr) while running the command. */
function run(version: string, kubeconfig: string, args: string[]): string {
  const dashes = args.includes('--') ? args.indexOf('--') : args.length;
  const flags = ['--kubeconfig', kubeconfig, '-v=10', ...(DRY_RUN.has(args[0]) && args[1] !== 'token' ? ['--dry-run=server'] : [])];
  const argv = [...args.slice(0, dashes), ...flags, ...args.slice(dashes)];
  return spawnSync(`${KUBECTL}.${version}`, argv, { encoding: 'utf8' }).stderr;
}

function main(): void {
  const kubeconfig = process.argv[2];
  if (!kubeconfig) throw new Error('usage: capture.js <kubeconfig>');
  const out = __dirname.replace(`${path.sep}dist${path.sep}`, path.sep);
  for (const [name, args] of Object.entries(COMMANDS)) {
    const requests = Object.fromEntries(['1.31', '1.32', '1.33'].map((v) => [v, requestsIn(run(v, kubeconfig, args))]));
    fs.writeFileSync(path.join(out, `${name}.json`), JSON.stringify({ command: `kubectl ${args.join(' ')}`, requests }, null, 2) + '\n');
    console.log(name);
  }
}

main();
