// The field manager of one resource: server-side apply and the bookkeeping of who set which field, as
// k8s.io/apiserver's fieldmanager and structured-merge-diff's merge.Updater do it.
//
//   update(live, next, manager)   every create, update and patch: the fields that changed become the writer's,
//                                 taken from whoever held them; fields removed leave every manager.
//   apply(live, config, manager)  PATCH application/apply-patch+yaml: the configuration is merged onto the object
//                                 and the applier owns exactly its fields. A field another manager owns and the
//                                 configuration would change is a conflict (409) unless forced, which moves it to
//                                 the applier. Fields the applier set last time and leaves out now are removed
//                                 when no one else owns them.
//
// The system's metadata (name, uid, resourceVersion, generation, ...) belongs to no one, nor does status when
// written through the main resource of a kind with a status subresource (and nothing but status through it).
import type { KubeObject } from '../../shared/api/meta';
import { rfc3339 } from '../../shared/api/meta';
import type { Definitions, Schema } from '../../shared/api/openapi';
import { definitionName } from '../../shared/api/openapi';
import { apiVersionOf, ResourceInfo } from '../../shared/api/resources';
import { badRequest } from '../../shared/errors';
import type { Json } from '../patch/merge';
import { isObject } from '../patch/merge';
import { Conflict, conflictError } from './conflict';
import { FieldSet, fieldElement, Path } from './fieldpath';
import { decodeManagedFields, encodeManagedFields, isResetManagedFields, Managed, Manager, managerIdentifier } from './managedfields';
import { Comparison, isSame, SchemaError, TypedWalker } from './typed';

/** kubectl's client-side apply keeps what it applied here. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Update managers beyond this many are folded, oldest first, into one "ancient-changes" entry. */
export const MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';

const meta = (name: string): Path => [fieldElement('metadata'), fieldElement(name)];
/** Fields no manager owns (stripMeta). */
const SYSTEM_FIELDS = FieldSet.of(
  [fieldElement('apiVersion')],
  [fieldElement('kind')],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    meta,
  ),
);
const STATUS = fieldElement('status');

/** Struct fields Go always has (not pointers), present in the empty object a create is compared with. */
const VALUE_STRUCTS = new Set(
  [
    'ObjectMeta',
    'PodTemplateSpec',
    'PodSpec',
    'DeploymentStrategy',
    'DaemonSetUpdateStrategy',
    'StatefulSetUpdateStrategy',
    'JobTemplateSpec',
    'JobSpec',
  ].map((t) => `.${t}`),
);

export interface FieldManagerOptions {
  /** The time written on entries (tests pass a fixed one). */
  now?: () => Date;
}

export class FieldManager {
  private readonly walker: TypedWalker;
  private readonly schema: Schema;
  private readonly apiVersion: string;
  private readonly hasStatus: boolean;
  private readonly now: () => Date;
  private zero?: Record<string, Json>;

  constructor(
    readonly resource: ResourceInfo,
    private readonly definitions: Definitions,
    options: FieldManagerOptions = {},
  ) {
    this.walker = new TypedWalker(definitions);
    this.schema = { $ref: definitionName(resource) };
    this.apiVersion = apiVersionOf(resource);
    this.hasStatus = resource.subresources?.includes('status') ?? false;
    this.now = options.now ?? (() => new Date());
  }

  /** The fields a write through `subresource` may own: status alone through status, all but status otherwise. */
  private owned(set: FieldSet, subresource: string): FieldSet {
    if (subresource === 'status') {
      const out = new FieldSet();
      const status = set.withPrefix(STATUS);
      if (set.members.has(STATUS)) out.members.add(STATUS);
      if (!status.empty()) out.children.set(STATUS, status.copy());
      return out;
    }
    const ignored = this.hasStatus ? SYSTEM_FIELDS.union(FieldSet.of([STATUS])) : SYSTEM_FIELDS;
    return set.recursiveDifference(ignored);
  }

  /**
   * Records a write that is not an apply: `next` (what will be stored) compared with `live` (undefined for a
   * create): sets next's metadata.managedFields, in place, and returns next. A write that sets managedFields
   * itself keeps them (`[{}]` resets them); through a subresource they are ignored.
   */
  update(live: KubeObject | undefined, next: KubeObject, manager: string, subresource = ''): KubeObject {
    let managed: Managed;
    try {
      managed = this.managedOf(live, next, subresource !== '');
    } catch {
      managed = this.liveManaged(live);
    }
    const lhs = live ? this.content(live) : this.zeroObject();
    const rhs = this.content(next);
    let result: Managed;
    try {
      result = this.recordUpdate(
        lhs,
        rhs,
        managed,
        { manager, operation: 'Update', apiVersion: this.apiVersion, subresource },
        subresource,
      );
    } catch (err) {
      if (!(err instanceof SchemaError)) throw err;
      result = managed; // a list item without its key: validation refuses the object anyway
    }
    return this.withManagedFields(next, result);
  }

  /**
   * Applies `config` (a manifest, as kubectl apply --server-side sends it) to `live` (undefined: the object
   * does not exist yet) for `manager`. Returns the object to store, with its managedFields. Throws 409 on
   * conflicts unless `force`, 400 on a configuration that cannot be applied.
   */
  apply(live: KubeObject | undefined, config: unknown, manager: string, force: boolean): KubeObject {
    if (!isObject(config)) throw badRequest('error decoding YAML: the configuration must be an object');
    const cfg = structuredClone(config);
    const cfgMeta = cfg.metadata;
    if (isObject(cfgMeta) && cfgMeta.managedFields !== undefined && cfgMeta.managedFields !== null)
      throw badRequest('metadata.managedFields must be nil');
    const lhs = live ? this.content(live) : {};
    const managed = this.liveManaged(live);
    try {
      const { object, managers } = this.applyOnce(lhs, cfg, managed, manager, force);
      if (object !== undefined || !live) {
        const applier = managers.get(managerIdentifier({ manager, operation: 'Apply', apiVersion: this.apiVersion }));
        if (applier) applier.time = rfc3339(this.now());
      }
      // Nothing changed: the live object as it is, so that storage sees no change unless the managers did.
      const result = structuredClone(object ?? live!) as unknown as KubeObject;
      if (!isObject(result.metadata)) result.metadata = {};
      const out = this.withManagedFields(result, this.capManagers(managers));
      if (live) this.keepSystemFields(out, live);
      if (manager === 'kubectl' && live?.metadata.annotations?.[LAST_APPLIED] !== undefined) setLastApplied(out, cfg);
      return out;
    } catch (err) {
      if (err instanceof ApplyConflicts) {
        // kubectl applying over what kubectl apply (client side) set: the values it had applied are its own.
        if (!force && manager === 'kubectl' && live?.metadata.annotations?.[LAST_APPLIED]) {
          const allowed = this.allowedFromLastApplied(live);
          if (allowed && err.conflicts.every((c) => allowed.has(c.path))) return this.apply(live, config, manager, true);
          if (allowed) throw conflictError(err.conflicts.filter((c) => !allowed.has(c.path)));
        }
        throw conflictError(err.conflicts);
      }
      // The applier's object does not fit the schema: its error, so 400 (Kubernetes 1.27-1.33 answer 500
      // without a reason here, a bug its issue #139253 fixes the same way, with the same message).
      if (err instanceof SchemaError) throw badRequest(`failed to create typed patch object (${this.describe(cfg)}): ${err.message}`);
      throw err;
    }
  }

  /** One apply (merge.Updater.Apply): the merged object (undefined when nothing changed) and the managers after. */
  private applyOnce(
    lhs: Record<string, Json>,
    config: Record<string, Json>,
    managed: Managed,
    manager: string,
    force: boolean,
  ): { object: Record<string, Json> | undefined; managers: Managed } {
    const managers = new Map([...managed].map(([id, m]) => [id, { ...m }]));
    const id = managerIdentifier({ manager, operation: 'Apply', apiVersion: this.apiVersion });
    const last = managers.get(id)?.set;
    let merged = (this.walker.merge(lhs, config, this.schema) ?? {}) as Record<string, Json>;
    const set = this.owned(this.walker.toFieldSet(config, this.schema), '');
    managers.set(id, { manager, operation: 'Apply', apiVersion: this.apiVersion, set, time: managers.get(id)?.time });
    if (last && !last.empty()) merged = this.prune(merged, managers, last);
    const c = this.walker.compare(lhs, merged, this.schema);
    const updated = this.updateManagers(c, managers, id, force, '');
    return { object: isSame(c) ? undefined : merged, managers: updated };
  }

  /**
   * Takes out what the applier set last time and no longer sets, unless some manager (the applier's new
   * configuration included) still owns it. A struct field goes whole when no one owns anything below it.
   */
  private prune(merged: Record<string, Json>, managers: Managed, last: FieldSet): Record<string, Json> {
    let owned = new FieldSet();
    for (const m of managers.values()) owned = owned.union(m.set);
    const ensure = (s: FieldSet) => this.walker.ensureNamedFieldsAreMembers(s, this.schema);
    const present = ensure(this.walker.toFieldSet(merged, this.schema));
    const remove = ensure(last).difference(ensure(owned)).intersection(present);
    return (this.walker.removeItems(merged, remove, this.schema) ?? {}) as Record<string, Json>;
  }

  /**
   * merge.Updater.update: every other manager that owns a field this write changes loses it (a conflict for
   * an applier unless forced), and fields the write removes leave every manager.
   */
  private updateManagers(c: Comparison, managers: Managed, writer: string, force: boolean, subresource: string): Managed {
    const changed = this.owned(c.modified.union(c.added), subresource);
    const removed = this.owned(c.removed, subresource);
    const conflicts: Conflict[] = [];
    for (const [id, m] of managers) {
      if (id === writer) continue;
      const taken = m.set.intersection(changed);
      if (!taken.empty()) for (const path of taken.paths()) conflicts.push({ manager: id, path });
    }
    if (!force && conflicts.length) throw new ApplyConflicts(conflicts);
    for (const [id, m] of managers) {
      if (id === writer) continue;
      m.set = m.set.difference(changed).difference(removed);
      if (m.set.empty()) managers.delete(id);
    }
    return managers;
  }

  /** An Update: the write's changes become the writer's (managedFieldsUpdater with a "current-operation"). */
  private recordUpdate(lhs: Json, rhs: Json, managed: Managed, who: Omit<Manager, 'set'>, subresource: string): Managed {
    const managers = new Map([...managed].map(([id, m]) => [id, { ...m }]));
    const c = this.walker.compare(lhs, rhs, this.schema);
    if (isSame(c)) return managers;
    const current = this.owned(c.modified.union(c.added), subresource);
    const updated = this.updateManagers(c, managers, '', true, subresource);
    if (current.empty()) return this.capManagers(updated);
    const id = managerIdentifier(who);
    const previous = updated.get(id);
    const entry: Manager = { ...who, set: previous ? previous.set.union(current) : current, time: rfc3339(this.now()) };
    if (!entry.subresource) delete entry.subresource;
    updated.set(id, entry);
    return this.capManagers(updated);
  }

  /** At most MAX_UPDATE_MANAGERS Update entries: the oldest are folded into "ancient-changes". */
  private capManagers(managed: Managed): Managed {
    const updaters = [...managed].filter(([, m]) => m.operation === 'Update');
    if (updaters.length <= MAX_UPDATE_MANAGERS) return managed;
    const secs = (m: Manager) => (m.time ? Math.floor(Date.parse(m.time) / 1000) : 0);
    updaters.sort(([ia, a], [ib, b]) => secs(a) - secs(b) || (ia < ib ? -1 : ia > ib ? 1 : 0));
    const bucketId = managerIdentifier({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: this.apiVersion });
    let count = updaters.length;
    for (const [id, m] of updaters) {
      if (count <= MAX_UPDATE_MANAGERS) break;
      if (id === bucketId) continue;
      const bucket = managed.get(bucketId);
      managed.delete(id);
      managed.set(bucketId, {
        manager: ANCIENT_CHANGES,
        operation: 'Update',
        apiVersion: this.apiVersion,
        set: bucket ? bucket.set.union(m.set) : m.set,
        time: m.time,
      });
      if (bucket) count--;
    }
    return managed;
  }

  /** The managed fields a write starts from (decodeLiveOrNew). */
  private managedOf(live: KubeObject | undefined, next: KubeObject, subresource: boolean): Managed {
    if (subresource) return this.liveManaged(live);
    const given = (next.metadata as { managedFields?: unknown }).managedFields;
    if (isResetManagedFields(given)) return new Map();
    let managed: Managed | undefined;
    try {
      managed = decodeManagedFields(given);
    } catch {
      managed = undefined;
    }
    return managed && managed.size ? managed : this.liveManaged(live);
  }

  private liveManaged(live: KubeObject | undefined): Managed {
    if (!live) return new Map();
    try {
      return decodeManagedFields((live.metadata as { managedFields?: unknown }).managedFields);
    } catch {
      return new Map();
    }
  }

  /** The object's content as the walks see it: without managedFields. */
  private content(obj: KubeObject): Record<string, Json> {
    const { managedFields: _m, ...metadata } = obj.metadata as Record<string, unknown>;
    return { ...(obj as unknown as Record<string, Json>), metadata: metadata as Record<string, Json> };
  }

  /**
   * The empty object of the kind, as Go has it: its structs that are not pointers present and empty, its
   * required (not omitempty) lists and maps null. Worked out from the schema once (every create compares
   * with it; the walks only read it).
   */
  private zeroObject(): Record<string, Json> {
    return (this.zero ??= this.zeroFromSchema());
  }

  private zeroFromSchema(): Record<string, Json> {
    const fill = (s: Schema | undefined, depth: number): Record<string, Json> => {
      const out: Record<string, Json> = {};
      const def = s?.$ref ? this.definitions[s.$ref] : s;
      if (!def?.properties || depth > 6) return out;
      for (const [name, p] of Object.entries(def.properties)) {
        if (def.required?.includes(name) && (p.type === 'array' || p.additionalProperties)) out[name] = null;
        const valueStruct =
          (p.$ref !== undefined && [...VALUE_STRUCTS].some((t) => p.$ref!.endsWith(t))) ||
          (isObject(p.default as Json) && Object.keys(p.default as object).length === 0 && p.$ref !== undefined) ||
          (depth === 0 && (name === 'spec' || name === 'status') && p.$ref !== undefined);
        if (valueStruct) out[name] = fill(p, depth + 1);
      }
      return out;
    };
    return fill(this.schema, 0);
  }

  private withManagedFields(obj: KubeObject, managed: Managed): KubeObject {
    const entries = encodeManagedFields(managed);
    const m = obj.metadata as { managedFields?: unknown };
    if (entries.length) m.managedFields = entries;
    else delete m.managedFields;
    return obj;
  }

  /** An apply never changes what the system keeps: the result carries the live object's identity. */
  private keepSystemFields(out: KubeObject, live: KubeObject): void {
    for (const k of ['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'generation'] as const) {
      if (live.metadata[k] !== undefined && out.metadata[k] === undefined) (out.metadata as Record<string, unknown>)[k] = live.metadata[k];
    }
  }

  /**
   * The fields kubectl's last-applied-configuration holds with the value the object still has: an applier named
   * kubectl takes them over from kubectl's client-side apply without a conflict (lastAppliedManager).
   */
  private allowedFromLastApplied(live: KubeObject): { has(path: Path): boolean } | undefined {
    let lastApplied: Json;
    try {
      lastApplied = JSON.parse(live.metadata.annotations![LAST_APPLIED]) as Json;
    } catch {
      return undefined;
    }
    try {
      const set = this.walker.toFieldSet(lastApplied, this.schema);
      const c = this.walker.compare(lastApplied, this.content(live), this.schema);
      const allowed = set.difference(c.modified);
      return { has: (path) => allowed.has(path) };
    } catch {
      return undefined;
    }
  }

  /** How the object is named in errors: `default/web; apps/v1, Kind=Deployment`. */
  private describe(cfg: Record<string, Json>): string {
    const m = isObject(cfg.metadata) ? cfg.metadata : {};
    const str = (x: Json | undefined) => (typeof x === 'string' ? x : '');
    return `${str(m.namespace)}/${str(m.name)}; ${this.apiVersion}, Kind=${this.resource.kind}`;
  }
}

class ApplyConflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super('conflicts');
  }
}

/** kubectl's annotation follows what kubectl applies server-side, as the apiserver keeps it (lastAppliedUpdater). */
function setLastApplied(obj: KubeObject, config: Record<string, Json>): void {
  const copy = structuredClone(config);
  const m = copy.metadata;
  if (isObject(m) && isObject(m.annotations)) {
    delete m.annotations[LAST_APPLIED];
    if (Object.keys(m.annotations).length === 0) delete m.annotations;
  }
  obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [LAST_APPLIED]: JSON.stringify(copy) };
}
