import { impersonationChecks, impersonationRequest } from './impersonation';

describe('impersonation headers', () => {
  it('reads the user, repeated groups, the uid and extras (keys percent-decoded)', () => {
    const wanted = impersonationRequest({
      'impersonate-user': 'jane',
      'impersonate-group': 'a, b',
      'impersonate-uid': '42',
      'impersonate-extra-scopes%2Fv1': 'view',
    });
    expect(wanted).toEqual({ username: 'jane', groups: ['a', 'b'], uid: '42', extra: { 'scopes/v1': ['view'] } });
    expect(impersonationChecks(wanted!).map((c) => `${c.verb} ${c.apiGroup}/${c.resource}/${c.subresource} ${c.name}`)).toEqual([
      'impersonate /users/ jane',
      'impersonate /groups/ a',
      'impersonate /groups/ b',
      'impersonate authentication.k8s.io/uids/ 42',
      'impersonate authentication.k8s.io/userextras/scopes/v1 view',
    ]);
  });

  it('checks a service account in its namespace', () => {
    const checks = impersonationChecks(impersonationRequest({ 'impersonate-user': 'system:serviceaccount:team:builder' })!);
    expect(checks).toMatchObject([{ resource: 'serviceaccounts', namespace: 'team', name: 'builder' }]);
  });

  it('is nothing without headers, and refuses groups without a user', () => {
    expect(impersonationRequest({})).toBeUndefined();
    expect(() => impersonationRequest({ 'impersonate-group': 'system:masters' })).toThrow('without impersonating a user');
  });
});
