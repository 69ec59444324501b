import { Deployments, Pods } from '../../shared/api/resources';
import { v2Document, v3Document } from './documents';

describe('OpenAPI documents', () => {
  it('v3: components keyed like Kubernetes, kinds tagged with their GVK, described refs in allOf', () => {
    const doc = v3Document([Deployments]) as any;
    const schemas = doc.components.schemas;
    expect(schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([
      { group: 'apps', version: 'v1', kind: 'Deployment' },
    ]);
    expect(schemas['io.k8s.api.apps.v1.DeploymentList'].properties.items.items).toEqual({
      $ref: '#/components/schemas/io.k8s.api.apps.v1.Deployment',
    });
    expect(schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy).toEqual({
      allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }],
      description: 'How running pods are replaced by pods of a new template.',
    });
    expect(schemas['io.k8s.api.apps.v1.DeploymentStrategy'].properties.type.enum).toEqual(['Recreate', 'RollingUpdate']);
    expect(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].oneOf).toEqual([{ type: 'integer' }, { type: 'string' }]);
    // Everything referenced is there.
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[^"]+/g) ?? [];
    for (const r of refs) expect(schemas[r.slice('#/components/schemas/'.length)]).toBeDefined();
  });

  it('v3: PATCH is tagged with the GVK and takes fieldValidation, dryRun and fieldManager', () => {
    const doc = v3Document([Deployments]) as any;
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(patch['x-kubernetes-action']).toBe('patch');
    expect(patch.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name)).toEqual(
      expect.arrayContaining(['fieldValidation', 'dryRun', 'fieldManager', 'force']),
    );
    expect(Object.keys(patch.requestBody.content)).not.toContain('application/strategic-merge-patch+json');
    expect(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].get['x-kubernetes-group-version-kind']).toEqual({
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
    });
  });

  it('v2: the same definitions, with $refs to #/definitions and IntOrString as a string', () => {
    const doc = v2Document() as any;
    expect(doc.swagger).toBe('2.0');
    expect(doc.definitions['io.k8s.api.core.v1.PodSpec'].properties.containers.items).toEqual({
      $ref: '#/definitions/io.k8s.api.core.v1.Container',
    });
    expect(doc.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'].type).toBe('string');
    expect(doc.paths[`/api/v1/namespaces/{namespace}/${Pods.plural}`].post['x-kubernetes-group-version-kind']).toEqual({
      group: '',
      version: 'v1',
      kind: 'Pod',
    });
  });
});
