import { listOptions } from './query';

describe('listOptions', () => {
  it('reads limit, continue and resourceVersion(Match)', () => {
    expect(listOptions({ limit: '500', continue: 'abc', resourceVersion: '' })).toEqual({ limit: 500, continue: 'abc' });
    expect(listOptions({ resourceVersion: '12', resourceVersionMatch: 'NotOlderThan' })).toMatchObject({
      resourceVersion: '12',
      resourceVersionMatch: 'NotOlderThan',
    });
  });

  it('refuses a resourceVersionMatch Kubernetes would refuse, with 422 on ListOptions', () => {
    const status = (q: Record<string, string>) => {
      try {
        listOptions(q);
      } catch (err) {
        return (err as { status: { code: number; message: string } }).status;
      }
      return undefined;
    };
    expect(status({ resourceVersionMatch: 'Exact' })).toMatchObject({
      code: 422,
      message:
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    });
    expect(status({ resourceVersionMatch: 'Exact', resourceVersion: '0' })?.message).toMatch(
      /resourceVersionMatch "exact" is forbidden for resourceVersion "0"/,
    );
    expect(status({ resourceVersionMatch: 'Newest', resourceVersion: '5' })?.message).toMatch(
      /resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""/,
    );
    expect(status({ resourceVersionMatch: 'Exact', resourceVersion: '5', continue: 'x' })?.message).toMatch(
      /resourceVersionMatch is forbidden when continue is provided/,
    );
    expect(status({ limit: 'ten' })).toMatchObject({ code: 400 });
  });
});
