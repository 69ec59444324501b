// Strategic merge patch: a merge patch that knows the built-in types' lists. Lists with a merge key
// (containers by name, ports by containerPort, ...) merge element by element; others are replaced.
// Directives: `$patch: delete|replace|merge`, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`,
// `$retainKeys`. The keys follow the patchMergeKey/patchStrategy tags of Kubernetes' Go types.
import { badRequest } from '../../shared/errors';
import { isObject, Json } from './merge';

type ListStrategy = { mergeKey: string } | 'set' | 'replace';

/** The strategy of a list, from the field names leading to it (list indices left out). */
export function listStrategy(kind: string, path: string[]): ListStrategy {
  const field = path[path.length - 1];
  const parent = path[path.length - 2];
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
      return { mergeKey: 'name' };
    case 'volumeMounts':
      return { mergeKey: 'mountPath' };
    case 'volumeDevices':
      return { mergeKey: 'devicePath' };
    case 'ports':
      // A Service's spec.ports merge by port; a container's by containerPort.
      return kind === 'Service' && parent === 'spec' && path.length === 2 ? { mergeKey: 'port' } : { mergeKey: 'containerPort' };
    case 'conditions':
      return { mergeKey: 'type' };
    case 'ownerReferences':
      return { mergeKey: 'uid' };
    case 'finalizers':
      return path.length === 2 && parent === 'metadata' ? 'set' : 'replace';
    case 'addresses':
      return parent === 'status' && kind === 'Node' ? { mergeKey: 'type' } : 'replace';
    case 'hostAliases':
      return { mergeKey: 'ip' };
    case 'topologySpreadConstraints':
      return { mergeKey: 'topologyKey' };
    case 'taints':
      return kind === 'Node' ? { mergeKey: 'key' } : 'replace';
    default:
      return 'replace';
  }
}

const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

function keyOf(item: Json, mergeKey: string): string | undefined {
  return isObject(item) && item[mergeKey] !== undefined ? JSON.stringify(item[mergeKey]) : undefined;
}

function mergeList(kind: string, path: string[], original: Json[], patch: Json[], order: Json[] | undefined): Json[] {
  const strategy = listStrategy(kind, path);
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p.$patch === 'replace'));
  }
  if (strategy === 'replace') return patch;
  if (strategy === 'set') {
    const result = [...original];
    const present = new Set(original.map((o) => JSON.stringify(o)));
    for (const p of patch) {
      const text = JSON.stringify(p);
      if (!present.has(text)) result.push(p);
      present.add(text);
    }
    return orderBy(result, order, (x) => JSON.stringify(x));
  }
  // Elements are found by merge key through a map (lists of thousands met lists of thousands with a
  // scan per element before); a deleted element leaves a hole, dropped at the end.
  const { mergeKey } = strategy;
  const result: (Json | undefined)[] = [...original];
  const positions = new Map<string, number>();
  result.forEach((o, i) => {
    const key = keyOf(o ?? null, mergeKey);
    if (key !== undefined && !positions.has(key)) positions.set(key, i);
  });
  for (const p of patch) {
    const key = keyOf(p, mergeKey);
    if (key === undefined) throw badRequest(`map: ${JSON.stringify(p)} does not contain declared merge key: ${mergeKey}`);
    const at = positions.get(key);
    if (isObject(p) && p.$patch === 'delete') {
      if (at !== undefined) result[at] = undefined;
      positions.delete(key);
      continue;
    }
    if (at !== undefined) result[at] = mergeValue(kind, path, result[at]!, p);
    else {
      positions.set(key, result.length);
      result.push(mergeValue(kind, path, null, p));
    }
  }
  const merged = result.filter((x): x is Json => x !== undefined);
  return orderBy(merged, order, (x) => keyOf(x, mergeKey) ?? JSON.stringify(x));
}

/** `$setElementOrder`: the listed elements first, in that order; the others after, as they were. */
function orderBy(items: Json[], order: Json[] | undefined, key: (x: Json) => string): Json[] {
  if (!order) return items;
  const ranks = new Map<string, number>();
  order.forEach((o, i) => {
    const k = isObject(o) ? key(o) : JSON.stringify(o);
    if (!ranks.has(k)) ranks.set(k, i);
  });
  return items
    .map((x, i) => ({ x, i, rank: ranks.get(key(x)) ?? order.length }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((e) => e.x);
}

function mergeValue(kind: string, path: string[], original: Json, patch: Json): Json {
  if (isObject(patch)) return mergeObject(kind, path, isObject(original) ? original : {}, patch);
  return patch;
}

function mergeObject(kind: string, path: string[], original: Record<string, Json>, patch: Record<string, Json>): Json {
  const directive = patch.$patch;
  if (directive === 'delete') return null;
  if (directive === 'replace') {
    const { $patch: _d, ...rest } = patch;
    return stripDirectives(rest);
  }
  const result: Record<string, Json> = { ...original };
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith(SET_ORDER)) continue;
    if (key.startsWith(DELETE_FROM)) {
      const list = key.slice(DELETE_FROM.length);
      const remove = new Set((Array.isArray(value) ? value : []).map((v) => JSON.stringify(v)));
      if (Array.isArray(result[list])) result[list] = (result[list] as Json[]).filter((v) => !remove.has(JSON.stringify(v)));
      continue;
    }
    const childPath = [...path, key];
    if (value === null) delete result[key];
    else if (Array.isArray(value)) {
      const order = patch[`${SET_ORDER}${key}`];
      result[key] = mergeList(
        kind,
        childPath,
        Array.isArray(result[key]) ? (result[key] as Json[]) : [],
        value,
        Array.isArray(order) ? order : undefined,
      );
    } else if (isObject(value)) {
      const merged = mergeObject(kind, childPath, isObject(result[key]) ? (result[key] as Record<string, Json>) : {}, value);
      if (merged === null) delete result[key];
      else result[key] = merged;
    } else result[key] = value;
  }
  // A $setElementOrder without the list itself reorders the existing elements.
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const list = key.slice(SET_ORDER.length);
    if (patch[list] === undefined && Array.isArray(result[list]) && Array.isArray(value)) {
      const strategy = listStrategy(kind, [...path, list]);
      const k = typeof strategy === 'object' ? (x: Json) => keyOf(x, strategy.mergeKey) ?? '' : (x: Json) => JSON.stringify(x);
      result[list] = orderBy(result[list] as Json[], value, k);
    }
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const key of Object.keys(result)) if (!keep.has(key)) delete result[key];
  }
  return result;
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = stripDirectives(v);
  return out;
}

export function strategicMergePatch(original: Json, patch: Json, kind: string): Json {
  if (!isObject(patch)) throw badRequest('strategic merge patch must be a JSON object');
  return mergeObject(kind, [], isObject(original) ? original : {}, patch);
}
