import { FieldSet, fieldElement as f, keyElement as k, pathString, valueElement as v } from './fieldpath';

describe('field sets', () => {
  it('write FieldsV1 as Kubernetes does: elements sorted, "." for a member that has children', () => {
    const set = FieldSet.of(
      [f('spec'), f('replicas')],
      [f('spec'), f('template'), f('spec'), f('containers'), k({ name: 'web' })],
      [f('spec'), f('template'), f('spec'), f('containers'), k({ name: 'web' }), f('image')],
      [f('metadata'), f('finalizers'), v('example.com/x')],
    );
    expect(JSON.stringify(set.toFieldsV1())).toBe(
      '{"f:metadata":{"f:finalizers":{"v:\\"example.com/x\\"":{}}},"f:spec":{"f:replicas":{},' +
        '"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:image":{}}}}}}}',
    );
  });

  it('read back what they write', () => {
    const fieldsV1 = { 'f:spec': { 'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } } };
    const set = FieldSet.fromFieldsV1(fieldsV1);
    expect(set.has([f('spec'), f('ports')])).toBe(true);
    expect(set.has([f('spec'), f('ports'), k({ protocol: 'TCP', port: 80 })])).toBe(true);
    expect(set.has([f('spec')])).toBe(false);
    expect(set.toFieldsV1()).toEqual(fieldsV1);
  });

  it('refuse FieldsV1 that is not a tree of path elements', () => {
    expect(() => FieldSet.fromFieldsV1({ spec: {} })).toThrow('unexpected path element "spec"');
    expect(() => FieldSet.fromFieldsV1({ 'f:spec': 3 })).toThrow();
  });

  it('key elements sort their fields, so the same item is one element', () => {
    expect(k({ protocol: 'TCP', containerPort: 80 })).toBe('k:{"containerPort":80,"protocol":"TCP"}');
  });

  it('print paths as conflicts show them', () => {
    expect(pathString([f('spec'), f('template'), f('spec'), f('containers'), k({ name: 'web' }), f('image')])).toBe(
      '.spec.template.spec.containers[name="web"].image',
    );
    expect(pathString([f('metadata'), f('finalizers'), v('x')])).toBe('.metadata.finalizers[="x"]');
    expect(pathString([f('spec'), f('ports'), k({ port: 80, protocol: 'TCP' })])).toBe('.spec.ports[port=80,protocol="TCP"]');
  });

  it('union, difference and intersection work member by member', () => {
    const a = FieldSet.of([f('a'), f('x')], [f('a'), f('y')], [f('b')]);
    const b = FieldSet.of([f('a'), f('y')], [f('c')]);
    expect(a.union(b).paths().map(pathString)).toEqual(['.b', '.c', '.a.x', '.a.y']);
    expect(a.difference(b).paths().map(pathString)).toEqual(['.b', '.a.x']);
    expect(a.intersection(b).paths().map(pathString)).toEqual(['.a.y']);
    expect(
      a
        .recursiveDifference(FieldSet.of([f('a')]))
        .paths()
        .map(pathString),
    ).toEqual(['.b']);
    expect(new FieldSet().empty()).toBe(true);
  });
});
