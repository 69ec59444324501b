import { HOSTILE_INPUT_CPU_SECONDS, measureCpu } from '../../test/cputime';
import { StatusError } from '../errors';
import { Deployments, HorizontalPodAutoscalers, Nodes, Pods } from './resources';
import { decodeObject } from './decode';

const FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const pod = (resources: unknown, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web' },
  spec: { containers: [{ name: 'c', image: 'x', resources }], ...extra },
});

/** The Status decodeObject throws, or undefined when it decodes. */
function decodeStatus(resource: typeof Pods, body: unknown) {
  try {
    decodeObject(resource, body);
    return undefined;
  } catch (err) {
    if (err instanceof StatusError) return err.status;
    throw err;
  }
}

describe('quantities while decoding', () => {
  it('accepts well-formed quantities, numbers among them', () => {
    expect(decodeStatus(Pods, pod({ limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: 0.25 } }))).toBeUndefined();
  });

  it('refuses a malformed container quantity with 400, as Kubernetes fails decoding the Pod', () => {
    expect(decodeStatus(Pods, pod({ limits: { cpu: '1x' } }))).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: `Pod in version "v1" cannot be handled as a Pod: ${FORMAT}`,
    });
    expect(decodeStatus(Pods, pod({ requests: { memory: '1K' } }))?.message).toBe(
      `Pod in version "v1" cannot be handled as a Pod: unable to parse quantity's suffix`,
    );
  });

  it('checks emptyDir size limits and downward API divisors too', () => {
    expect(decodeStatus(Pods, pod({}, { volumes: [{ name: 'v', emptyDir: { sizeLimit: 'lots' } }] }))?.code).toBe(400);
    const env = [{ name: 'E', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1q' } } }];
    const body = pod({});
    (body.spec.containers[0] as Record<string, unknown>).env = env;
    expect(decodeStatus(Pods, body)?.code).toBe(400);
  });

  it('checks the pod template of a Deployment, a Node status and an HPA target', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } }, spec: pod({ limits: { cpu: '1.1.1' } }).spec },
      },
    };
    expect(decodeStatus(Deployments, deployment)?.message).toBe(`Deployment in version "v1" cannot be handled as a Deployment: ${FORMAT}`);
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { capacity: { cpu: '4', memory: '8 Gi' } } };
    expect(decodeStatus(Nodes, node)?.code).toBe(400);
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h' },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'd' },
        maxReplicas: 3,
        metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '1e' } } }],
      },
    };
    expect(decodeStatus(HorizontalPodAutoscalers, hpa)?.message).toBe(
      `HorizontalPodAutoscaler in version "v2" cannot be handled as a HorizontalPodAutoscaler: unable to parse quantity's suffix`,
    );
  });

  it('refuses 200,000 digits followed by an x, and keeps 3 MiB of valid digits, within 2 s of CPU', () => {
    const bad = measureCpu(() => decodeStatus(Pods, pod({ limits: { cpu: '9'.repeat(200_000) + 'x' } })));
    expect(bad.value?.message).toBe(`Pod in version "v1" cannot be handled as a Pod: ${FORMAT}`);
    expect(bad.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
    const huge = measureCpu(() => decodeStatus(Pods, pod({ limits: { memory: '1'.repeat(3 * 1024 * 1024) } })));
    expect(huge.value).toBeUndefined();
    expect(huge.cpuSeconds).toBeLessThan(HOSTILE_INPUT_CPU_SECONDS);
  });
});
