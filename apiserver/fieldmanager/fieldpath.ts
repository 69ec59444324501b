// Sets of field paths, as structured-merge-diff's fieldpath package keeps them: which fields of an object a
// manager owns. A path is a list of elements, each written as FieldsV1 writes it:
//   f:<name>          a field of a struct or a key of a map          (.spec)
//   k:<json object>   an item of a list whose items have keys         ([name="nginx"])
//   v:<json value>    an item of a list that is a set of values       ([="example.com/x"])
//   i:<index>         an item of a list by position (atomic lists are never entered, so rare)
// A set is a tree: each node has members (paths that end there) and children. FieldsV1 is that tree as
// JSON, with "." marking a node that is itself a member and also has children:
//   {"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{}}}}}
import type { Json } from '../patch/merge';

/** One element of a path, in its FieldsV1 spelling (`f:spec`, `k:{"name":"web"}`). */
export type PathElement = string;
export type Path = PathElement[];

export const fieldElement = (name: string): PathElement => `f:${name}`;
export const valueElement = (v: Json): PathElement => `v:${canonicalJson(v)}`;
export const indexElement = (i: number): PathElement => `i:${i}`;
/** An item of an associative list by its key fields (sorted by name, as Kubernetes sorts them). */
export const keyElement = (fields: Record<string, Json>): PathElement => `k:${canonicalJson(fields)}`;

/** JSON with object keys sorted, so that equal values are equal strings. */
export function canonicalJson(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort(compareStrings);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Compares two JSON values as structured-merge-diff orders them (numbers by value, strings by bytes). */
function compareValues(a: Json, b: Json): number {
  const rank = (v: Json) => (v === null ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'number' ? 2 : typeof v === 'string' ? 3 : 4);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return compareStrings(canonicalJson(a), canonicalJson(b));
}

/** The order of elements in a set: fields, then keys, then values, then indexes (PathElement.Compare). */
export function compareElements(a: PathElement, b: PathElement): number {
  if (a[0] === 'f' && b[0] === 'f') return compareStrings(a, b);
  const ra = RANK[a[0]] ?? 9;
  const rb = RANK[b[0]] ?? 9;
  if (ra !== rb) return ra - rb;
  const x = a.slice(2);
  const y = b.slice(2);
  switch (a[0]) {
    case 'f':
      return compareStrings(x, y);
    case 'i':
      return Number(x) - Number(y);
    case 'v':
      return compareValues(JSON.parse(x) as Json, JSON.parse(y) as Json);
    default: {
      const kx = JSON.parse(x) as Record<string, Json>;
      const ky = JSON.parse(y) as Record<string, Json>;
      const names = (k: Record<string, Json>) => Object.keys(k).sort(compareStrings);
      const nx = names(kx);
      const ny = names(ky);
      for (let i = 0; i < Math.min(nx.length, ny.length); i++) {
        const c = compareStrings(nx[i], ny[i]) || compareValues(kx[nx[i]], ky[ny[i]]);
        if (c) return c;
      }
      return nx.length - ny.length;
    }
  }
}

/** A value as structured-merge-diff prints it in a path: strings quoted, the rest as JSON. */
function valueString(v: Json): string {
  return typeof v === 'string' ? JSON.stringify(v) : canonicalJson(v);
}

/** An element as Kubernetes prints it in a conflict: `.replicas`, `[name="web"]`, `[="x"]`, `[0]`. */
export function elementString(e: PathElement): string {
  const rest = e.slice(2);
  switch (e[0]) {
    case 'f':
      return `.${rest}`;
    case 'i':
      return `[${rest}]`;
    case 'v':
      return `[=${valueString(JSON.parse(rest) as Json)}]`;
    default: {
      const key = JSON.parse(rest) as Record<string, Json>;
      const fields = Object.keys(key).sort(compareStrings);
      return `[${fields.map((f) => `${f}=${valueString(key[f])}`).join(',')}]`;
    }
  }
}

/** A path as Kubernetes prints it: `.spec.template.spec.containers[name="web"].image`. */
export const pathString = (p: Path): string => p.map(elementString).join('');

export class FieldSet {
  readonly members = new Set<PathElement>();
  readonly children = new Map<PathElement, FieldSet>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    let node = this as FieldSet;
    for (let i = 0; i < path.length - 1; i++) node = node.child(path[i]);
    node.members.add(path[path.length - 1]);
  }

  /** The child set under `e`, made if missing. */
  child(e: PathElement): FieldSet {
    let c = this.children.get(e);
    if (!c) {
      c = new FieldSet();
      this.children.set(e, c);
    }
    return c;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    const node = path.slice(0, -1).reduce<FieldSet | undefined>((n, e) => n?.children.get(e), this);
    return node?.members.has(path[path.length - 1]) ?? false;
  }

  /** The set of paths below `e` (WithPrefix), empty when there are none. */
  withPrefix(e: PathElement): FieldSet {
    return this.children.get(e) ?? EMPTY;
  }

  empty(): boolean {
    if (this.members.size) return false;
    for (const c of this.children.values()) if (!c.empty()) return false;
    return true;
  }

  union(other: FieldSet): FieldSet {
    const out = this.copy();
    out.addAll(other);
    return out;
  }

  private addAll(other: FieldSet): void {
    for (const m of other.members) this.members.add(m);
    for (const [e, c] of other.children) this.child(e).addAll(c);
  }

  /** The paths of this set that are not in `other`. */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!other.members.has(m)) out.members.add(m);
    for (const [e, c] of this.children) {
      const o = other.children.get(e);
      const d = o ? c.difference(o) : c.copy();
      if (!d.empty()) out.children.set(e, d);
    }
    return out;
  }

  /** Like difference, but a member of `other` also takes every path below it (RecursiveDifference). */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!other.members.has(m)) out.members.add(m);
    for (const [e, c] of this.children) {
      if (other.members.has(e)) continue;
      const o = other.children.get(e);
      const d = o ? c.recursiveDifference(o) : c.copy();
      if (!d.empty()) out.children.set(e, d);
    }
    return out;
  }

  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (other.members.has(m)) out.members.add(m);
    for (const [e, c] of this.children) {
      const o = other.children.get(e);
      if (!o) continue;
      const i = c.intersection(o);
      if (!i.empty()) out.children.set(e, i);
    }
    return out;
  }

  copy(): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const [e, c] of this.children) out.children.set(e, c.copy());
    return out;
  }

  /** Every member path, in the set's order (members of a node before its children's). */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = [...this.members].sort(compareElements).map((m) => [...prefix, m]);
    for (const e of [...this.children.keys()].sort(compareElements)) out.push(...this.children.get(e)!.paths([...prefix, e]));
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).empty() && other.difference(this).empty();
  }

  /** The set as FieldsV1 JSON: elements sorted, "." for a member that also has children. */
  toFieldsV1(): Record<string, Json> {
    const inner = new Map<PathElement, Record<string, Json>>();
    for (const [e, c] of this.children) {
      const json = c.toFieldsV1();
      for (const _ in json) {
        inner.set(e, json);
        break;
      }
    }
    const elements = [...this.members];
    for (const e of inner.keys()) if (!this.members.has(e)) elements.push(e);
    elements.sort(compareElements);
    const out: Record<string, Json> = {};
    for (const e of elements) {
      const json = inner.get(e);
      out[e] = json === undefined ? {} : this.members.has(e) ? { '.': {}, ...json } : json;
    }
    return out;
  }

  /** Reads FieldsV1 JSON; throws on anything that is not a tree of objects with known element prefixes. */
  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('FieldsV1 must be a JSON object');
    for (const [e, child] of Object.entries(v as Record<string, unknown>)) {
      if (e === '.') continue;
      if (!/^[fkvi]:/.test(e)) throw new Error(`unexpected path element ${JSON.stringify(e)}`);
      if (child === null || typeof child !== 'object' || Array.isArray(child)) throw new Error('FieldsV1 must be a JSON object');
      const entries = Object.keys(child);
      if (entries.length === 0 || entries.includes('.')) s.members.add(e);
      if (entries.some((k) => k !== '.')) s.children.set(e, FieldSet.fromFieldsV1(child));
    }
    return s;
  }
}

const EMPTY = new FieldSet();
