import type { PolicyRule } from '../../shared/api/rbac';
import { compactRules, compactString, escalationRefusal, uncovered } from './escalation';
import { RuleResolver } from './rbac';

const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({
  verbs,
  apiGroups,
  resources,
  ...(resourceNames ? { resourceNames } : {}),
});
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });
const covers = (owner: PolicyRule[], granted: PolicyRule[]) => uncovered(owner, granted).length === 0;

describe('covers', () => {
  it('needs every verb, group and resource of a granted rule', () => {
    const owner = [rule(['get', 'list'], [''], ['pods', 'services'])];
    expect(covers(owner, [rule(['get'], [''], ['pods'])])).toBe(true);
    expect(covers(owner, [rule(['get', 'list'], [''], ['pods', 'services'])])).toBe(true);
    expect(uncovered(owner, [rule(['get', 'delete'], ['', 'apps'], ['pods'])])).toEqual([
      rule(['delete'], [''], ['pods']),
      rule(['get'], ['apps'], ['pods']),
      rule(['delete'], ['apps'], ['pods']),
    ]);
  });

  it('lets owner wildcards cover anything, but not a granted wildcard with a list', () => {
    expect(covers([rule(['*'], ['*'], ['*'])], [rule(['get', 'escalate'], ['rbac.authorization.k8s.io', 'x'], ['roles', 'y/z'])])).toBe(
      true,
    );
    expect(covers([rule(['get'], [''], ['pods', 'services'])], [rule(['get'], [''], ['*'])])).toBe(false);
    expect(covers([rule(['get', 'list', 'watch'], [''], ['pods'])], [rule(['*'], [''], ['pods'])])).toBe(false);
    expect(covers([rule(['get'], ['', 'apps'], ['pods'])], [rule(['get'], ['*'], ['pods'])])).toBe(false);
  });

  it('covers subresources with */subresource, and a resource does not cover its subresources', () => {
    expect(covers([rule(['update'], [''], ['*/status'])], [rule(['update'], [''], ['pods/status', 'nodes/status'])])).toBe(true);
    expect(covers([rule(['update'], [''], ['*/status'])], [rule(['update'], [''], ['pods'])])).toBe(false);
    expect(covers([rule(['update'], [''], ['pods'])], [rule(['update'], [''], ['pods/status'])])).toBe(false);
  });

  it('lets an owner rule without names cover named grants, but a named owner rule cover only those names', () => {
    expect(covers([rule(['get'], [''], ['secrets'])], [rule(['get'], [''], ['secrets'], ['a', 'b'])])).toBe(true);
    expect(covers([rule(['get'], [''], ['secrets'], ['a', 'b'])], [rule(['get'], [''], ['secrets'], ['a'])])).toBe(true);
    expect(uncovered([rule(['get'], [''], ['secrets'], ['a'])], [rule(['get'], [''], ['secrets'], ['a', 'b'])])).toEqual([
      rule(['get'], [''], ['secrets'], ['b']),
    ]);
    expect(covers([rule(['get'], [''], ['secrets'], ['a'])], [rule(['get'], [''], ['secrets'])])).toBe(false);
  });

  it('matches non-resource URLs exactly or by a trailing *', () => {
    expect(covers([urls(['get'], ['/apis/*'])], [urls(['get'], ['/apis/apps/v1', '/apis/'])])).toBe(true);
    expect(covers([urls(['get'], ['*'])], [urls(['get'], ['/healthz'])])).toBe(true);
    expect(covers([urls(['get'], ['/apis/*'])], [urls(['get'], ['/api'])])).toBe(false);
    expect(covers([urls(['get'], ['/healthz'])], [urls(['get', 'post'], ['/healthz'])])).toBe(false);
    // Resource rules and path rules never cover each other.
    expect(covers([rule(['*'], ['*'], ['*'])], [urls(['get'], ['/healthz'])])).toBe(false);
    expect(covers([urls(['*'], ['*'])], [rule(['get'], [''], ['pods'])])).toBe(false);
  });
});

describe('the escalation message', () => {
  it("joins one resource's verbs and prints rules as Kubernetes does", () => {
    const missing = uncovered(
      [],
      [rule(['get', 'list'], [''], ['secrets']), rule(['get'], [''], ['configmaps'], ['x']), urls(['*'], ['*'])],
    );
    expect(compactRules(missing).map(compactString).sort()).toEqual([
      '{APIGroups:[""], Resources:["configmaps"], ResourceNames:["x"], Verbs:["get"]}',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
      '{NonResourceURLs:["*"], Verbs:["*"]}',
    ]);
  });

  it('names the user, its groups and what it lacks, and nothing when it holds it all', () => {
    const rules = new RuleResolver({
      clusterRoleBindings: () => [],
      roleBindings: () => [
        {
          metadata: { name: 'b', namespace: 'team' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
          subjects: [{ kind: 'Group', name: 'devs' }],
        },
      ],
      clusterRole: () => undefined,
      role: (ns, name) => (ns === 'team' && name === 'r' ? { metadata: { name }, rules: [rule(['get'], [''], ['pods'])] } : undefined),
    });
    const bob = { username: 'bob', groups: ['devs', 'system:authenticated'] };
    expect(escalationRefusal(rules, bob, 'team', [rule(['get'], [''], ['pods'])])).toBeUndefined();
    expect(escalationRefusal(rules, bob, 'other', [rule(['get'], [''], ['pods'])])).toBe(
      'user "bob" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}',
    );
    expect(escalationRefusal(rules, bob, 'team', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])])).toBe(
      'user "bob" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
    );
  });
});
