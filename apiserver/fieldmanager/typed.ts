// Values walked with their schema, as structured-merge-diff's typed package walks them: which fields a value
// sets (toFieldSet), what changed between two values (compare), an applied configuration merged onto an object
// (merge), and fields taken out (removeItems). The schema says how to walk each list, from the same OpenAPI
// extensions Kubernetes reads (kube-openapi's schemaconv):
//   x-kubernetes-list-type: map + x-kubernetes-list-map-keys   items are found by those keys  (k:{"name":"web"})
//   x-kubernetes-list-type: set                                  items are their own values      (v:"x")
//   x-kubernetes-list-type: atomic, or nothing said              the list is one value, owned whole
//   x-kubernetes-patch-strategy: merge (+ patch-merge-key)       as map (with that key) or set, when no list-type
// and x-kubernetes-map-type: atomic makes a struct or map one value (a LabelSelector). Fields a schema does not
// describe (x-kubernetes-preserve-unknown-fields) are walked as structured-merge-diff's "deduced" type: objects
// field by field, lists whole.
import type { Definitions, Schema } from '../../shared/api/openapi';
import type { Json } from '../patch/merge';
import { isObject } from '../patch/merge';
import { FieldSet, fieldElement, indexElement, keyElement, Path, PathElement, pathString, valueElement } from './fieldpath';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** What a schema is to the walks: a scalar, a list, a struct or map, or undescribed (deduced from the value). */
type Atom =
  | { kind: 'scalar' }
  | { kind: 'list'; atomic: boolean; keys: string[]; items: Schema }
  | { kind: 'map'; atomic: boolean; fields?: Record<string, Schema>; elements?: Schema }
  | { kind: 'deduced' };

/** A value that does not fit its schema's list rules (an item without its key): the walk cannot go on. */
export class SchemaError extends Error {}

const DEDUCED: Schema = { 'x-kubernetes-preserve-unknown-fields': true };

export class TypedWalker {
  constructor(private readonly definitions: Definitions) {}

  private resolve(s: Schema | undefined): Schema {
    let schema = s ?? DEDUCED;
    for (let hops = 0; schema.$ref && hops < 10; hops++) {
      if (schema.$ref === QUANTITY || schema.$ref === INT_OR_STRING) return { type: 'string' };
      schema = this.definitions[schema.$ref] ?? DEDUCED;
    }
    return schema;
  }

  atom(s: Schema | undefined): Atom {
    const schema = this.resolve(s);
    if (schema.oneOf || schema['x-kubernetes-int-or-string']) return { kind: 'scalar' };
    switch (schema.type) {
      case 'array': {
        const listType = schema['x-kubernetes-list-type'];
        const items = schema.items ?? DEDUCED;
        if (listType === 'map') return { kind: 'list', atomic: false, keys: schema['x-kubernetes-list-map-keys'] ?? [], items };
        if (listType === 'set') return { kind: 'list', atomic: false, keys: [], items };
        if (listType === 'atomic') return { kind: 'list', atomic: true, keys: [], items };
        const strategy = (schema['x-kubernetes-patch-strategy'] ?? '').split(',');
        if (strategy.includes('merge')) {
          const key = schema['x-kubernetes-patch-merge-key'];
          return { kind: 'list', atomic: false, keys: key ? [key] : [], items };
        }
        return { kind: 'list', atomic: true, keys: [], items };
      }
      case 'object': {
        const atomic = schema['x-kubernetes-map-type'] === 'atomic';
        if (schema.properties) return { kind: 'map', atomic, fields: schema.properties, elements: preserved(schema) };
        if (schema.additionalProperties) return { kind: 'map', atomic, elements: schema.additionalProperties };
        return { kind: 'deduced' };
      }
      case undefined:
        return { kind: 'deduced' };
      default:
        return { kind: 'scalar' };
    }
  }

  /** The atom for a value: a deduced schema takes the value's shape (objects by field, lists whole). */
  private atomFor(s: Schema | undefined, v: Json | undefined): Atom {
    const a = this.atom(s);
    if (a.kind !== 'deduced') return a;
    if (isObject(v)) return { kind: 'map', atomic: false, elements: DEDUCED };
    if (Array.isArray(v)) return { kind: 'list', atomic: true, keys: [], items: DEDUCED };
    return { kind: 'scalar' };
  }

  private fieldSchema(a: Atom & { kind: 'map' }, key: string): Schema | undefined {
    return a.fields?.[key] ?? a.elements;
  }

  /** The element naming item `i` of a list: its keys, its value, or its index. */
  itemElement(a: Atom & { kind: 'list' }, item: Json, i: number, path: Path): PathElement {
    if (a.atomic) return indexElement(i);
    if (a.keys.length === 0) return valueElement(item);
    const where = `${pathString(path)}: element ${i}`;
    if (!isObject(item)) throw new SchemaError(`${where}: associative list with keys may not have non-map elements`);
    const itemSchema = this.resolve(a.items);
    const key: Record<string, Json> = {};
    for (const name of a.keys) {
      const value = item[name] ?? (itemSchema.properties?.[name]?.default as Json | undefined);
      if (value === undefined || value === null)
        throw new SchemaError(
          `${where}: associative list with keys has an element that omits key field "${name}" (and doesn't have default value)`,
        );
      key[name] = value;
    }
    return keyElement(key);
  }

  /** Every field and item `v` sets, as an applier comes to own them (ToFieldSet). */
  toFieldSet(v: Json, s: Schema): FieldSet {
    const set = new FieldSet();
    this.collect(v, s, [], set);
    return set;
  }

  private collect(v: Json, s: Schema | undefined, path: Path, set: FieldSet): void {
    const a = this.atomFor(s, v);
    if (a.kind === 'scalar' || a.kind === 'deduced' || v === null) return set.insert(path);
    if (a.kind === 'list') {
      if (a.atomic || !Array.isArray(v)) return set.insert(path);
      v.forEach((item, i) => {
        path.push(this.itemElement(a, item, i, path));
        this.collect(item, a.items, path, set);
        set.insert(path);
        path.pop();
      });
      return;
    }
    if (a.atomic || !isObject(v)) return set.insert(path);
    for (const key in v) {
      const value = v[key];
      path.push(fieldElement(key));
      this.collect(value, this.fieldSchema(a, key), path, set);
      const declared = a.fields !== undefined && key in a.fields;
      if (value === null || !declared || (isObject(value) && isEmptyObject(value))) set.insert(path);
      path.pop();
    }
  }

  /** What `rhs` added, changed and removed relative to `lhs` (Compare): leaves, and containers that came or went. */
  compare(lhs: Json | undefined, rhs: Json | undefined, s: Schema): Comparison {
    const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
    if (lhs !== undefined || rhs !== undefined) this.compareAt(lhs, rhs, s, [], c);
    return c;
  }

  private compareAt(l: Json | undefined, r: Json | undefined, s: Schema | undefined, path: Path, c: Comparison): void {
    const leaf = () => {
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
      else if (!jsonEqual(l, r)) c.modified.insert(path);
    };
    const a = this.atomFor(s, r ?? l);
    if (a.kind === 'scalar' || a.kind === 'deduced') return leaf();
    if (a.kind === 'list') {
      // null is there but empty (a Go slice that is nil but not omitted): it neither comes nor goes.
      const ll = Array.isArray(l) ? l : l === null ? [] : undefined;
      const rl = Array.isArray(r) ? r : r === null ? [] : undefined;
      const bothEmpty = !ll?.length && !rl?.length;
      if (a.atomic || bothEmpty || (l !== undefined && !ll) || (r !== undefined && !rl)) return leaf();
      const left = this.index(a, ll ?? [], path);
      const right = this.index(a, rl ?? [], path);
      const all = [...left.order, ...right.order.filter((e) => !left.items.has(e))];
      for (const e of all) {
        path.push(e);
        this.compareAt(left.items.get(e), right.items.get(e), a.items, path, c);
        path.pop();
      }
    } else {
      const lm = isObject(l) ? l : l === null ? {} : undefined;
      const rm = isObject(r) ? r : r === null ? {} : undefined;
      const bothEmpty = (!lm || isEmptyObject(lm)) && (!rm || isEmptyObject(rm));
      if (a.atomic || bothEmpty || (l !== undefined && !lm) || (r !== undefined && !rm)) return leaf();
      const visit = (k: string) => {
        path.push(fieldElement(k));
        this.compareAt(lm?.[k], rm?.[k], this.fieldSchema(a, k), path, c);
        path.pop();
      };
      for (const k in lm) visit(k);
      for (const k in rm) if (!lm || !(k in lm)) visit(k);
    }
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
  }

  /** A list's items by element, in order; a repeated element keeps its first item. */
  private index(a: Atom & { kind: 'list' }, list: Json[], path: Path): { order: PathElement[]; items: Map<PathElement, Json> } {
    const order: PathElement[] = [];
    const items = new Map<PathElement, Json>();
    list.forEach((item, i) => {
      if (item === null) return;
      const e = this.itemElement(a, item, i, path);
      if (items.has(e)) return;
      items.set(e, item);
      order.push(e);
    });
    return { order, items };
  }

  /**
   * `rhs` merged onto `lhs` (Merge): rhs's leaves win, structs and maps merge field by field, associative lists
   * item by item (rhs's order for the items both have, lhs's items rhs lacks kept where they were), atomic
   * values are replaced. A null in rhs takes the field away.
   */
  merge(lhs: Json | undefined, rhs: Json | undefined, s: Schema | undefined, path: Path = []): Json | undefined {
    if (rhs === undefined) return lhs;
    if (rhs === null) return undefined;
    if (lhs === undefined || lhs === null) return stripNulls(rhs);
    const a = this.atomFor(s, rhs);
    if (a.kind === 'scalar' || a.kind === 'deduced' || a.atomic) return stripNulls(rhs);
    if (a.kind === 'list') {
      if (!Array.isArray(lhs) || !Array.isArray(rhs)) return stripNulls(rhs);
      return this.mergeList(a, lhs, rhs, path);
    }
    if (!isObject(lhs) || !isObject(rhs)) return stripNulls(rhs);
    const out: Record<string, Json> = { ...lhs };
    for (const [k, v] of Object.entries(rhs)) {
      const merged = this.merge(lhs[k], v, this.fieldSchema(a, k), [...path, fieldElement(k)]);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }

  private mergeList(a: Atom & { kind: 'list' }, lhs: Json[], rhs: Json[], path: Path): Json[] {
    const left = this.index(a, lhs, path);
    const right = this.index(a, rhs, path);
    const shared = right.order.filter((e) => left.items.has(e));
    let next = 0; // the next shared item, in rhs's order
    const out: Json[] = [];
    const take = (e: PathElement) => {
      const merged = this.merge(left.items.get(e), right.items.get(e), a.items, [...path, e]);
      if (merged !== undefined) out.push(merged);
    };
    const taken = new Set<PathElement>();
    let li = 0;
    let ri = 0;
    while (li < left.order.length || ri < right.order.length) {
      if (li < left.order.length && ri < right.order.length) {
        const e = left.order[li];
        if (e === right.order[ri]) {
          take(e);
          taken.add(e);
          li++;
          ri++;
          if (shared[next] === e) next++;
          continue;
        }
        if (right.items.has(e) && next < shared.length && shared[next] !== e) {
          li++; // a shared item, but not the one due now: it comes in rhs's order
          continue;
        }
      }
      if (li < left.order.length) {
        const e = left.order[li];
        if (!right.items.has(e)) {
          take(e);
          li++;
          continue;
        }
        if (taken.has(e)) {
          li++;
          continue;
        }
      }
      if (ri < right.order.length) {
        const e = right.order[ri];
        if (!taken.has(e)) {
          take(e);
          taken.add(e);
        }
        ri++;
        if (shared[next] === e) next++;
      }
    }
    return out;
  }

  /**
   * `v` without the fields and items `set` names as members (RemoveItems); a struct, map or list left empty
   * goes too. Returns undefined when nothing is left.
   */
  removeItems(v: Json | undefined, set: FieldSet, s: Schema | undefined, path: Path = []): Json | undefined {
    if (v === undefined || v === null || set.empty()) return v;
    const a = this.atomFor(s, v);
    if (a.kind === 'list' && !a.atomic && Array.isArray(v)) {
      const out: Json[] = [];
      v.forEach((item, i) => {
        const e = this.itemElement(a, item, i, path);
        if (set.members.has(e)) return;
        const sub = set.withPrefix(e);
        const kept = sub.empty() ? item : this.removeItems(item, sub, a.items, [...path, e]);
        if (kept !== undefined) out.push(kept);
      });
      return out.length ? out : undefined;
    }
    if (a.kind === 'map' && !a.atomic && isObject(v)) {
      const out: Record<string, Json> = {};
      for (const [k, child] of Object.entries(v)) {
        const e = fieldElement(k);
        if (set.members.has(e)) continue;
        const sub = set.withPrefix(e);
        const kept = sub.empty() ? child : this.removeItems(child, sub, this.fieldSchema(a, k), [...path, e]);
        if (kept !== undefined) out[k] = kept;
      }
      return Object.keys(out).length ? out : undefined;
    }
    return v;
  }

  /**
   * The set with each struct field that has owned fields below it made a member too (EnsureNamedFieldsAreMembers),
   * so that removing it takes the whole field, while map keys and list items stay as they are.
   */
  ensureNamedFieldsAreMembers(set: FieldSet, s: Schema | undefined): FieldSet {
    const out = new FieldSet();
    const a = this.atom(s);
    for (const m of set.members) out.members.add(m);
    for (const [e, child] of set.children) {
      let childSchema: Schema | undefined;
      if (e.startsWith('f:') && a.kind === 'map') {
        const name = e.slice(2);
        if (a.fields && name in a.fields) out.members.add(e);
        childSchema = this.fieldSchema(a, name);
      } else if (a.kind === 'list') childSchema = a.items;
      out.children.set(e, this.ensureNamedFieldsAreMembers(child, childSchema));
    }
    return out;
  }
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export const isSame = (c: Comparison): boolean => c.added.empty() && c.modified.empty() && c.removed.empty();

/** What fields a struct that keeps unknown fields holds beside its own: walked as deduced. */
function preserved(schema: Schema): Schema | undefined {
  return schema['x-kubernetes-preserve-unknown-fields'] ? DEDUCED : undefined;
}

function isEmptyObject(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/** Equality of JSON values (key order aside). */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => k in b && jsonEqual(a[k], b[k]));
}

function stripNulls(v: Json): Json {
  if (Array.isArray(v)) return v.filter((x) => x !== null).map(stripNulls);
  if (!isObject(v)) return v;
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = stripNulls(x);
  return out;
}
