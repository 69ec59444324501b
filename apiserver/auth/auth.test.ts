import { forbiddenError, Attributes } from './authorizer';
import { CLUSTER_ROLE_BINDINGS, CLUSTER_ROLES } from './bootstrappolicy';
import { RbacAuthorizer, ruleAllows, PolicySource } from './rbac';
import { requestInfo } from './requestinfo';
import { parseTokenFile, tokenFileLine } from '../../shared/tokenfile';

const attrs = (method: string, path: string, user: Attributes['user'], watch = false): Attributes => ({
  ...requestInfo(method, path, watch),
  user,
});
const viewer = { username: 'viewer', groups: ['mini-kubernetes:viewers', 'system:authenticated'] };

describe('requestInfo', () => {
  it.each([
    ['GET', '/api/v1/namespaces/default/pods', false, { verb: 'list', resource: 'pods', namespace: 'default', name: '' }],
    ['GET', '/api/v1/namespaces/default/pods', true, { verb: 'watch', resource: 'pods' }],
    ['GET', '/api/v1/watch/namespaces/default/pods/web', false, { verb: 'watch', name: 'web' }],
    ['PUT', '/api/v1/namespaces/default/pods/web/status', false, { verb: 'update', resource: 'pods', subresource: 'status', name: 'web' }],
    ['DELETE', '/apis/apps/v1/namespaces/x/deployments', false, { verb: 'deletecollection', apiGroup: 'apps', namespace: 'x' }],
    [
      'GET',
      '/api/v1/namespaces/kube-system',
      false,
      { verb: 'get', resource: 'namespaces', name: 'kube-system', namespace: 'kube-system' },
    ],
    ['PUT', '/api/v1/namespaces/gone/finalize', false, { verb: 'update', resource: 'namespaces', name: 'gone', subresource: 'finalize' }],
    [
      'POST',
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      false,
      { verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' },
    ],
    // exec, attach and port-forward are a create whether upgraded with a SPDY POST or a WebSocket GET
    ['POST', '/api/v1/namespaces/default/pods/web/exec', false, { verb: 'create', resource: 'pods', subresource: 'exec', name: 'web' }],
    ['GET', '/api/v1/namespaces/default/pods/web/exec', false, { verb: 'create', resource: 'pods', subresource: 'exec', name: 'web' }],
    ['GET', '/api/v1/namespaces/default/pods/web/attach', false, { verb: 'create', subresource: 'attach' }],
    ['GET', '/api/v1/namespaces/default/pods/web/portforward', false, { verb: 'create', subresource: 'portforward' }],
    ['GET', '/api/v1/namespaces/default/pods/web/log', false, { verb: 'get', subresource: 'log' }],
  ])('%s %s (watch=%s)', (method, path, watch, want) => {
    expect(requestInfo(method, path, watch)).toMatchObject({ isResourceRequest: true, ...want });
  });

  it('treats discovery and health as non-resource paths', () => {
    for (const path of ['/api', '/api/v1', '/apis/apps', '/apis/apps/v1', '/healthz', '/metrics']) {
      expect(requestInfo('GET', path, false)).toMatchObject({ isResourceRequest: false, verb: 'get', path });
    }
  });
});

describe('RBAC rules', () => {
  it('matches verbs, groups, resources, subresources and names', () => {
    const a = attrs('PUT', '/api/v1/namespaces/default/pods/web/status', viewer);
    expect(ruleAllows({ verbs: ['update'], apiGroups: [''], resources: ['pods/status'] }, a)).toBe(true);
    expect(ruleAllows({ verbs: ['update'], apiGroups: [''], resources: ['pods'] }, a)).toBe(false);
    expect(ruleAllows({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, a)).toBe(true);
    expect(ruleAllows({ verbs: ['update'], apiGroups: [''], resources: ['*/status'] }, a)).toBe(true);
    expect(ruleAllows({ verbs: ['update'], apiGroups: ['apps'], resources: ['pods/status'] }, a)).toBe(false);
    expect(ruleAllows({ verbs: ['update'], apiGroups: [''], resources: ['pods/status'], resourceNames: ['other'] }, a)).toBe(false);
    expect(ruleAllows({ verbs: ['get'], nonResourceURLs: ['/apis/*'] }, attrs('GET', '/apis/apps/v1', viewer))).toBe(true);
    expect(ruleAllows({ verbs: ['get'], nonResourceURLs: ['/api'] }, attrs('GET', '/apis', viewer))).toBe(false);
  });

  const bootstrap: PolicySource = {
    clusterRoleBindings: () => CLUSTER_ROLE_BINDINGS,
    roleBindings: () => [],
    clusterRole: (name) => CLUSTER_ROLES.find((r) => r.metadata.name === name),
    role: () => undefined,
  };
  const rbac = new RbacAuthorizer(bootstrap);

  it('lets the viewer read workloads and nodes but not secrets, and write nothing', () => {
    expect(rbac.authorize(attrs('GET', '/api/v1/namespaces/default/pods', viewer)).decision).toBe('allow');
    expect(rbac.authorize(attrs('GET', '/api/v1/nodes', viewer)).decision).toBe('allow');
    expect(rbac.authorize(attrs('GET', '/api/v1/namespaces/default/secrets', viewer)).decision).toBe('noOpinion');
    expect(rbac.authorize(attrs('POST', '/api/v1/namespaces/default/configmaps', viewer)).decision).toBe('noOpinion');
    expect(rbac.authorize(attrs('GET', '/apis/apps/v1', viewer)).decision).toBe('allow'); // discovery
  });

  it('lets the edit role exec, attach and port-forward, and the viewer none of them, over either transport', () => {
    const source: PolicySource = {
      ...bootstrap,
      roleBindings: () => [
        {
          metadata: { name: 'b', namespace: 'team' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
          subjects: [{ kind: 'User', name: 'dev' }],
        },
      ],
    };
    const dev = { username: 'dev', groups: ['system:authenticated'] };
    for (const sub of ['exec', 'attach', 'portforward']) {
      for (const method of ['GET', 'POST']) {
        const path = `/api/v1/namespaces/team/pods/web/${sub}`;
        expect(new RbacAuthorizer(source).authorize(attrs(method, path, dev)).decision).toBe('allow');
        expect(rbac.authorize(attrs(method, path, viewer)).decision).toBe('noOpinion');
      }
    }
  });

  it('scopes the scheduler to binding pods', () => {
    const scheduler = { username: 'system:kube-scheduler', groups: ['system:authenticated'] };
    expect(rbac.authorize(attrs('POST', '/api/v1/namespaces/default/pods/web/binding', scheduler)).decision).toBe('allow');
    expect(rbac.authorize(attrs('DELETE', '/api/v1/namespaces/default/pods/web', scheduler)).decision).toBe('noOpinion');
    expect(
      rbac.authorize(attrs('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler', scheduler)).decision,
    ).toBe('allow');
    expect(
      rbac.authorize(attrs('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager', scheduler))
        .decision,
    ).toBe('noOpinion');
  });

  it('grants a RoleBinding only in its own namespace', () => {
    const source: PolicySource = {
      ...bootstrap,
      roleBindings: (ns) =>
        ns === 'team'
          ? [
              {
                metadata: { name: 'b', namespace: 'team' },
                roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
                subjects: [{ kind: 'User', name: 'viewer' }],
              },
            ]
          : [],
    };
    const withBinding = new RbacAuthorizer(source);
    expect(withBinding.authorize(attrs('POST', '/api/v1/namespaces/team/configmaps', viewer)).decision).toBe('allow');
    expect(withBinding.authorize(attrs('POST', '/api/v1/namespaces/default/configmaps', viewer)).decision).toBe('noOpinion');
  });
});

describe('forbidden messages', () => {
  it('words a refusal as kube-apiserver does', () => {
    expect(forbiddenError(attrs('POST', '/api/v1/namespaces/default/configmaps', viewer)).status.message).toBe(
      'configmaps is forbidden: User "viewer" cannot create resource "configmaps" in API group "" in the namespace "default"',
    );
    expect(forbiddenError(attrs('DELETE', '/apis/apps/v1/namespaces/a/deployments/web', viewer)).status.message).toBe(
      'deployments.apps "web" is forbidden: User "viewer" cannot delete resource "deployments" in API group "apps" in the namespace "a"',
    );
    expect(forbiddenError(attrs('GET', '/api/v1/nodes', viewer)).status.message).toBe(
      'nodes is forbidden: User "viewer" cannot list resource "nodes" in API group "" at the cluster scope',
    );
    expect(forbiddenError(attrs('GET', '/metrics', viewer)).status).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'forbidden: User "viewer" cannot get path "/metrics"',
    });
  });
});

describe('token file', () => {
  it('reads token,user,uid,"groups" lines and writes them back the same way', () => {
    const users = parseTokenFile('# comment\nabc,admin,admin-uid,"system:masters,ops"\ndef,bob,bob\n');
    expect(users.get('abc')).toEqual({ username: 'admin', uid: 'admin-uid', groups: ['system:masters', 'ops'] });
    expect(users.get('def')).toEqual({ username: 'bob', uid: 'bob', groups: [] });
    expect(tokenFileLine('abc', users.get('abc')!)).toBe('abc,admin,admin-uid,"system:masters,ops"');
    expect(() => parseTokenFile('only-a-token\n')).toThrow(/line 1/);
  });
});

describe('the proxy subresources', () => {
  const editor = (role: string): PolicySource => ({
    clusterRoleBindings: () => CLUSTER_ROLE_BINDINGS,
    clusterRole: (name) => CLUSTER_ROLES.find((r) => r.metadata.name === name),
    role: () => undefined,
    roleBindings: () => [
      {
        metadata: { name: 'b', namespace: 'team' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ kind: 'User', name: 'dev' }],
      },
    ],
  });
  const dev = { username: 'dev', groups: ['system:authenticated'] };

  it('are authorized by the HTTP method on <resource>/proxy, whatever follows /proxy', () => {
    expect(requestInfo('GET', '/api/v1/namespaces/team/services/https:web:443/proxy/a/b/', false)).toMatchObject({
      verb: 'get',
      resource: 'services',
      name: 'https:web:443',
      subresource: 'proxy',
    });
    // A ?watch= for the backend leaves the verb a get.
    expect(requestInfo('GET', '/api/v1/namespaces/team/pods/web/proxy/', true)).toMatchObject({ verb: 'get', subresource: 'proxy' });
    for (const [method, verb] of [
      ['POST', 'create'],
      ['PUT', 'update'],
      ['PATCH', 'patch'],
      ['DELETE', 'delete'],
      ['HEAD', 'get'],
    ]) {
      expect(requestInfo(method, '/api/v1/nodes/node-1/proxy/stats/summary', false)).toMatchObject({
        verb,
        resource: 'nodes',
        name: 'node-1',
      });
    }
  });

  it('let edit (and admin) reach pods and Services, never view, and nodes only cluster-admin', () => {
    for (const role of ['edit', 'admin']) {
      const rbac = new RbacAuthorizer(editor(role));
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        expect(rbac.authorize(attrs(method, '/api/v1/namespaces/team/pods/web:8080/proxy/x', dev)).decision).toBe('allow');
        expect(rbac.authorize(attrs(method, '/api/v1/namespaces/team/services/web:80/proxy/', dev)).decision).toBe('allow');
      }
      expect(rbac.authorize(attrs('GET', '/api/v1/nodes/node-1/proxy/stats/summary', dev)).decision).toBe('noOpinion');
    }
    const view = new RbacAuthorizer(editor('view'));
    expect(view.authorize(attrs('GET', '/api/v1/namespaces/team/services/web:80/proxy/', dev)).decision).toBe('noOpinion');
    expect(view.authorize(attrs('GET', '/api/v1/namespaces/team/pods/web/proxy/', dev)).decision).toBe('noOpinion');
    expect(forbiddenError(attrs('GET', '/api/v1/namespaces/team/services/web:80/proxy/', dev)).status.message).toBe(
      'services "web:80" is forbidden: User "dev" cannot get resource "services/proxy" in API group "" in the namespace "team"',
    );
  });
});
