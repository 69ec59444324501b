import type { ReplicationController } from '../../../shared/api/core';
import type { KubeObject } from '../../../shared/api/meta';
import { toTable } from '../../printers';
import type { Printer } from '../../printers/table';
import { replicationControllerStrategy as strategy } from './replicationcontrollers';

/** The seeds' rc-definition.yml: labels on the RC and its template, no selector. */
const seed = (): ReplicationController => ({
  metadata: { name: 'myapp-rc', namespace: 'default', labels: { app: 'myapp', type: 'front-end' } },
  spec: {
    replicas: 3,
    template: {
      metadata: { name: 'myapp-pod', labels: { app: 'myapp', type: 'front-end' } },
      spec: { containers: [{ name: 'nginx-container', image: 'nginx' }] },
    },
  },
});

const messages = (rc: ReplicationController) => strategy.validate(rc).map((c) => `${c.field}: ${c.message}`);

describe('ReplicationController strategy', () => {
  it("defaults the selector (and the RC's labels when it has none) to the template's labels", () => {
    const rc = seed();
    delete rc.metadata.labels;
    strategy.defaults!(rc);
    expect(rc.spec.selector).toEqual({ app: 'myapp', type: 'front-end' });
    expect(rc.metadata.labels).toEqual({ app: 'myapp', type: 'front-end' });
    expect(rc.spec.template!.spec.restartPolicy).toBe('Always');
    expect(messages(rc)).toEqual([]);
  });

  it('refuses what Kubernetes refuses, in its words', () => {
    const rc = seed();
    rc.spec.selector = { type: 'back-end' };
    rc.spec.replicas = -1;
    rc.spec.template!.spec.restartPolicy = 'Never';
    expect(messages(rc)).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.metadata.labels: Invalid value: "map[string]string{\\"app\\":\\"myapp\\", \\"type\\":\\"front-end\\"}": selector does not match labels in spec.template',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ]);
    expect(messages({ metadata: { name: 'x' }, spec: {} })).toEqual(['spec.selector: Required value', 'spec.template: Required value']);
  });

  it('prints NAME DESIRED CURRENT READY AGE, and CONTAINERS IMAGES SELECTOR with -o wide', () => {
    const rc = seed();
    strategy.defaults!(rc);
    rc.metadata.creationTimestamp = new Date().toISOString();
    rc.status = { replicas: 3, readyReplicas: 2 };
    const table = toTable(strategy.printer as Printer, [rc as KubeObject]);
    expect(table.columnDefinitions.map((c) => `${c.name}${c.priority ? '*' : ''}`)).toEqual([
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Age',
      'Containers*',
      'Images*',
      'Selector*',
    ]);
    expect(table.rows[0].cells).toEqual(['myapp-rc', 3, 3, 2, '0s', 'nginx-container', 'nginx', 'app=myapp,type=front-end']);
  });
});
