// Where the served kinds hold resource quantities. Kubernetes parses a Quantity while it decodes the
// object, so one that does not parse fails the whole request with 400 BadRequest, before validation:
//   Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '...'
import { badRequest } from '../errors';
import { quantityError } from '../quantity';
import type { ResourceInfo } from './resources';

type Fields = Record<string, unknown>;

const fields = (v: unknown): Fields | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Fields) : undefined);
const items = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The values of a ResourceList (`limits`, `capacity`, ...). */
function* resourceList(v: unknown): Iterable<unknown> {
  yield* Object.values(fields(v) ?? {});
}

function* podSpecQuantities(spec: unknown): Iterable<unknown> {
  const s = fields(spec);
  for (const c of [...items(s?.initContainers), ...items(s?.containers), ...items(s?.ephemeralContainers)]) {
    const container = fields(c);
    yield* resourceList(fields(container?.resources)?.limits);
    yield* resourceList(fields(container?.resources)?.requests);
    for (const env of items(container?.env)) yield fields(fields(fields(env)?.valueFrom)?.resourceFieldRef)?.divisor;
  }
  for (const volume of items(s?.volumes)) yield fields(fields(volume)?.emptyDir)?.sizeLimit;
  yield* resourceList(s?.overhead);
}

/** A MetricTarget's or MetricValueStatus' `value` and `averageValue`. */
function* metricValues(metrics: unknown, field: 'target' | 'current'): Iterable<unknown> {
  for (const m of items(metrics)) {
    for (const source of ['resource', 'containerResource', 'pods', 'object', 'external']) {
      const target = fields(fields(fields(m)?.[source])?.[field]);
      yield target?.value;
      yield target?.averageValue;
    }
  }
}

/** Every quantity of `obj` (and some undefined holes where an optional one is missing). */
export function* quantitiesOf(kind: string, obj: Fields): Iterable<unknown> {
  const spec = fields(obj.spec);
  const status = fields(obj.status);
  switch (kind) {
    case 'Pod':
      yield* podSpecQuantities(spec);
      break;
    case 'ReplicaSet':
    case 'Deployment':
      yield* podSpecQuantities(fields(spec?.template)?.spec);
      break;
    case 'Node':
      yield* resourceList(status?.capacity);
      yield* resourceList(status?.allocatable);
      break;
    case 'HorizontalPodAutoscaler':
      yield* metricValues(spec?.metrics, 'target');
      yield* metricValues(status?.currentMetrics, 'current');
      break;
  }
}

/** Throws Kubernetes' decoding error for the first quantity of `obj` that does not parse. */
export function checkQuantities(resource: ResourceInfo, obj: Fields): void {
  for (const q of quantitiesOf(resource.kind, obj)) {
    const error = typeof q === 'string' || typeof q === 'number' ? quantityError(q) : undefined;
    if (error) throw badRequest(`${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: ${error}`);
  }
}
