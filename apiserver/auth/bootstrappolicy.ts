// The roles and bindings every cluster starts with (Kubernetes' bootstrap policy, cut to what this cluster
// serves): cluster-admin for system:masters; admin, edit and view for users; discovery for everyone
// signed in; and one role per component, scoped to what that component reads and writes.
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Subject } from '../../shared/api/rbac';
import { VIEWERS_GROUP } from '../../shared/api/authentication';
import { KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET } from '../../shared/api/certificates';

const RBAC = 'rbac.authorization.k8s.io';
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const EVENTS: PolicyRule = { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] };
/** Asking the apiserver about the callers of a component's own secure port (delegated authn/authz). */
const AUTH_DELEGATION: PolicyRule[] = [
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
];

/** Namespaced resources an application team reads (view) and writes (edit). Secrets are edit-only. */
const WORKLOADS: PolicyRule[] = [
  {
    apiGroups: [''],
    resources: [
      'pods',
      'pods/log',
      'pods/status',
      'services',
      'services/status',
      'endpoints',
      'configmaps',
      'events',
      'namespaces',
      'namespaces/status',
      'persistentvolumeclaims',
      'persistentvolumeclaims/status',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'replicationcontrollers/status',
      'serviceaccounts',
    ],
    verbs: READ,
  },
  { apiGroups: ['batch'], resources: ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status'], verbs: READ },
  {
    apiGroups: ['apps'],
    resources: [
      'deployments',
      'deployments/status',
      'deployments/scale',
      'replicasets',
      'replicasets/status',
      'replicasets/scale',
      'daemonsets',
      'daemonsets/status',
      'statefulsets',
      'statefulsets/status',
      'statefulsets/scale',
      'controllerrevisions',
    ],
    verbs: READ,
  },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: READ },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets', 'poddisruptionbudgets/status'], verbs: READ },
];

/** Running something in a pod: exec, attach, port-forward (edit-only, as in Kubernetes). */
const POD_CONNECT = ['pods/attach', 'pods/exec', 'pods/portforward'];

const EDIT: PolicyRule[] = [
  {
    apiGroups: [''],
    resources: [
      'pods',
      ...POD_CONNECT,
      'services',
      'endpoints',
      'configmaps',
      'secrets',
      'persistentvolumeclaims',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'serviceaccounts',
    ],
    verbs: WRITE,
  },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: WRITE },
  { apiGroups: [''], resources: [...POD_CONNECT, 'secrets'], verbs: READ },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'deployments/scale', 'replicasets', 'replicasets/scale', 'daemonsets', 'statefulsets', 'statefulsets/scale'],
    verbs: WRITE,
  },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: WRITE },
  // Reaching pods and Services through the apiserver's proxy: edit's, not view's, as in Kubernetes.
  { apiGroups: [''], resources: ['pods/proxy', 'services/proxy'], verbs: [...READ, ...WRITE] },
  // Evicting pods within their budgets (kubectl drain), and keeping budgets.
  { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: WRITE },
  ...WORKLOADS,
];

function clusterRole(name: string, rules: PolicyRule[]): ClusterRole {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRole',
    metadata: {
      name,
      labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
      annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
    },
    rules,
  };
}

function binding(name: string, role: string, subjects: Subject[]): ClusterRoleBinding {
  return {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: {
      name,
      labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
      annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
    },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role },
    subjects,
  };
}

const user = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC, name });
const group = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC, name });

export const CLUSTER_ROLES: ClusterRole[] = [
  clusterRole('cluster-admin', [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ]),
  clusterRole('admin', [...EDIT, { apiGroups: [RBAC], resources: ['roles', 'rolebindings'], verbs: [...READ, ...WRITE] }]),
  clusterRole('edit', EDIT),
  clusterRole('view', WORKLOADS),
  // Read-only access to the cluster-scoped objects `kubectl get nodes` and `kubectl top nodes` need, and the
  // Leases that tell who leads the scheduler and the controller-manager and which kubelets renew (the dashboard).
  clusterRole('mini-kubernetes:cluster-reader', [
    { apiGroups: [''], resources: ['nodes', 'nodes/status', 'namespaces', 'persistentvolumes'], verbs: READ },
    { apiGroups: ['metrics.k8s.io'], resources: ['nodes', 'pods'], verbs: READ },
    { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: READ },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: READ },
  ]),
  clusterRole('system:discovery', [
    {
      nonResourceURLs: [
        '/api',
        '/api/*',
        '/apis',
        '/apis/*',
        '/healthz',
        '/livez',
        '/readyz',
        '/openapi',
        '/openapi/*',
        '/version',
        '/version/',
      ],
      verbs: ['get'],
    },
  ]),
  // What anyone may read, signed in or not: health and the version (kubectl version, load balancers).
  clusterRole('system:public-info-viewer', [
    { nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] },
  ]),
  clusterRole('system:basic-user', [
    { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
    { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
  ]),
  clusterRole('system:monitoring', [
    { nonResourceURLs: ['/metrics', '/healthz', '/livez', '/readyz'], verbs: ['get'] },
    { apiGroups: [''], resources: ['nodes/metrics', 'nodes/stats'], verbs: ['get'] }, // the kubelets' /metrics and /stats
  ]),
  clusterRole('system:kube-scheduler', [
    EVENTS,
    ...AUTH_DELEGATION,
    { apiGroups: [''], resources: ['pods', 'nodes', 'namespaces', 'services'], verbs: READ },
    { apiGroups: [''], resources: ['pods/binding', 'bindings'], verbs: ['create'] },
    { apiGroups: [''], resources: ['pods/status'], verbs: ['patch', 'update'] },
    // VolumeBinding: claims and volumes read; a claim's selected node, a static volume's claimRef written.
    { apiGroups: [''], resources: ['persistentvolumeclaims', 'persistentvolumes'], verbs: [...READ, 'patch', 'update'] },
    { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: READ },
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: READ },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['kube-scheduler'], verbs: ['get', 'update', 'patch'] },
    // Which apiservers there are, for its client's load balancer (shared/client.ts).
    { apiGroups: [''], resources: ['endpoints'], resourceNames: ['kubernetes'], verbs: ['get'] },
  ]),
  clusterRole('system:kube-controller-manager', [
    EVENTS,
    ...AUTH_DELEGATION,
    // The garbage collector and the namespace controller read and delete whatever they find.
    { apiGroups: ['*'], resources: ['*'], verbs: [...READ, 'delete', 'deletecollection'] },
    {
      apiGroups: [''],
      resources: [
        'pods',
        'pods/status',
        'endpoints',
        'services/status',
        'nodes',
        'nodes/status',
        'namespaces',
        'namespaces/status',
        'namespaces/finalize',
        'configmaps',
        'secrets',
        'serviceaccounts',
        'services',
        'persistentvolumes',
        'persistentvolumes/status',
        'persistentvolumeclaims',
        'persistentvolumeclaims/status',
        'replicationcontrollers/status',
      ],
      verbs: ['create', 'patch', 'update'],
    },
    { apiGroups: ['apps'], resources: ['*'], verbs: ['create', 'patch', 'update'] },
    // The job, cronjob and ttl-after-finished controllers.
    {
      apiGroups: ['batch'],
      resources: ['jobs', 'jobs/status', 'jobs/finalizers', 'cronjobs', 'cronjobs/status', 'cronjobs/finalizers'],
      verbs: ['create', 'patch', 'update'],
    },
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], verbs: ['patch', 'update'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['create', 'patch', 'update'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'patch', 'update'] },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets/status'], verbs: ['update'] },
    // csrapproving and csrsigning: each signer it approves for or signs with, by name (CertificateApproval
    // and CertificateSigning admission check these).
    {
      apiGroups: ['certificates.k8s.io'],
      resources: ['certificatesigningrequests/approval', 'certificatesigningrequests/status'],
      verbs: ['update'],
    },
    { apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: [KUBE_APISERVER_CLIENT_KUBELET], verbs: ['approve'] },
    {
      apiGroups: ['certificates.k8s.io'],
      resources: ['signers'],
      resourceNames: [KUBE_APISERVER_CLIENT_KUBELET, KUBE_APISERVER_CLIENT],
      verbs: ['sign'],
    },
  ]),
  // TLS bootstrapping: who may ask for a node client certificate, and whose requests are approved.
  clusterRole('system:node-bootstrapper', [
    { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'], verbs: ['create', 'get', 'list', 'watch'] },
  ]),
  clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
    { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/nodeclient'], verbs: ['create'] },
  ]),
  clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [
    { apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests/selfnodeclient'], verbs: ['create'] },
  ]),
  clusterRole('system:node-proxier', [
    EVENTS,
    { apiGroups: [''], resources: ['services', 'endpoints', 'nodes'], verbs: READ },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
    // The cluster DNS that runs inside kube-proxy here registers its own Service, kube-system/kube-dns.
    { apiGroups: [''], resources: ['services'], verbs: ['create'] },
  ]),
];

export const CLUSTER_ROLE_BINDINGS: ClusterRoleBinding[] = [
  binding('cluster-admin', 'cluster-admin', [group('system:masters')]),
  binding('system:discovery', 'system:discovery', [group('system:authenticated')]),
  binding('system:basic-user', 'system:basic-user', [group('system:authenticated')]),
  binding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
  binding('system:monitoring', 'system:monitoring', [group('system:monitoring')]),
  binding('system:kube-scheduler', 'system:kube-scheduler', [user('system:kube-scheduler')]),
  binding('system:kube-controller-manager', 'system:kube-controller-manager', [user('system:kube-controller-manager')]),
  binding('system:node-proxier', 'system:node-proxier', [user('system:kube-proxy')]),
  binding('mini-kubernetes:viewers', 'view', [group(VIEWERS_GROUP)]),
  binding('mini-kubernetes:viewers-cluster', 'mini-kubernetes:cluster-reader', [group(VIEWERS_GROUP)]),
];
