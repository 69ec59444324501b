// Controller history (Kubernetes' pkg/controller/history): the ControllerRevisions through which DaemonSets
// and StatefulSets remember their pod templates. A revision's data is a strategic merge patch that puts a
// template back (`{"spec":{"template":{..., "$patch":"replace"}}}`, what `kubectl rollout undo` sends), its
// name is `<parent>-<hash>` with the hash of that data as Kubernetes computes it (FNV-32 of the bytes, plus
// the collision count, in the "safe" alphabet), and `revision` numbers them: the highest is the current one.
import type { ControllerRevision } from '../../shared/api/apps';
export { CONTROLLER_REVISION_HASH } from '../../shared/api/apps';
import type { PodTemplateSpec } from '../../shared/api/core';
import type { KubeObject } from '../../shared/api/meta';
import { controllerOf } from '../../shared/api/meta';
import { ControllerRevisions } from '../../shared/api/resources';
import type { Client } from '../../shared/client';
import { alreadyExists, isAlreadyExists, notFound } from '../../shared/errors';
import type { Lister } from '../../shared/informer';
import type { Selector } from '../../shared/labels';
import { SAFE_ALPHABET } from '../../shared/names';
import { controllerRef } from '../podcontrol';

/** The label on a revision holding its hash (history.ControllerRevisionHashLabel). */
export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

/** JSON with every object's keys sorted, as Go writes a map[string]interface{}: the bytes that are hashed. */
export function canonicalJSON(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sort)
      : x && typeof x === 'object'
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .filter((k) => (x as Record<string, unknown>)[k] !== undefined)
              .map((k) => [k, sort((x as Record<string, unknown>)[k])]),
          )
        : x;
  return JSON.stringify(sort(v));
}

/** FNV-1, 32 bits (Go's hash/fnv New32). */
export function fnv32(bytes: Buffer): number {
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h;
}

/** apimachinery's rand.SafeEncodeString: each character mapped into an alphabet without vowels. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** HashControllerRevision: the hash of the revision's data, and of the collision count when there is one. */
export function hashRevisionData(data: unknown, collisionCount?: number): string {
  let text = canonicalJSON(data);
  if (collisionCount !== undefined) text += String(collisionCount);
  return safeEncodeString(String(fnv32(Buffer.from(text))));
}

/** `<prefix>-<hash>`, the prefix cut to 223 characters so the name stays within 253. */
export const revisionName = (prefix: string, hash: string): string => `${prefix.slice(0, 223)}-${hash}`;

/** The data of a revision of a template: the patch that restores it. */
export function templatePatch(template: PodTemplateSpec): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(template), $patch: 'replace' } } };
}

/** The template a revision holds (ApplyRevision, for templates). */
export function templateOf(revision: ControllerRevision): PodTemplateSpec {
  const t = structuredClone((revision.data as { spec?: { template?: PodTemplateSpec & { $patch?: string } } })?.spec?.template);
  if (!t) throw new Error(`controller revision ${revision.metadata.name} holds no template`);
  delete t.$patch;
  return t;
}

export const equalRevisions = (a: ControllerRevision, b: ControllerRevision): boolean => canonicalJSON(a.data) === canonicalJSON(b.data);

/** By revision number, then creation time, then name (byRevision). */
export function sortRevisions(revisions: ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort(
    (a, b) =>
      a.revision - b.revision ||
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
      a.metadata.name!.localeCompare(b.metadata.name!),
  );
}

export const nextRevision = (revisions: ControllerRevision[]): number => Math.max(0, ...revisions.map((r) => r.revision)) + 1;

/**
 * The revisions to delete so that at most `limit` are kept besides the live ones (those a pod, or the
 * current or update revision, still names): the oldest first.
 */
export function revisionsToTruncate(revisions: ControllerRevision[], live: Set<string>, limit: number): ControllerRevision[] {
  const history = sortRevisions(revisions).filter((r) => !live.has(r.metadata.name!));
  return history.slice(0, Math.max(0, history.length - limit));
}

/** How a controller writes revisions: the API in production, a recorder in tests. */
export interface RevisionClient {
  create(cr: ControllerRevision): Promise<ControllerRevision>;
  get(namespace: string, name: string): Promise<ControllerRevision>;
  update(cr: ControllerRevision): Promise<ControllerRevision>;
  delete(namespace: string, name: string): Promise<void>;
  /** Adopts an orphan: adds the controller reference. */
  adopt(cr: ControllerRevision, owner: KubeObject, apiVersion: string, kind: string): Promise<ControllerRevision>;
}

/** A parent's history: its revisions, found through the informer's lister, and written through a RevisionClient. */
export class ControllerHistory {
  constructor(
    private readonly lister: Lister<ControllerRevision>,
    readonly client: RevisionClient,
  ) {}

  /**
   * ListControllerRevisions with ClaimControllerRevisions: the revisions the parent controls, after adopting
   * the orphans its selector matches.
   */
  async claim(parent: KubeObject, selector: Selector, apiVersion: string, kind: string): Promise<ControllerRevision[]> {
    const owned: ControllerRevision[] = [];
    for (const cr of this.lister.list(parent.metadata.namespace)) {
      const ref = controllerOf(cr);
      if (ref?.uid === parent.metadata.uid) owned.push(cr);
      else if (!ref && !parent.metadata.deletionTimestamp && selector.matches(cr.metadata.labels))
        owned.push(await this.client.adopt(cr, parent, apiVersion, kind));
    }
    return sortRevisions(owned);
  }

  /**
   * A new revision of `parent` (NewControllerRevision): controlled by it, labelled with the template's
   * labels and its hash. `hashLabel` is the label the hash goes under.
   */
  static newRevision(
    parent: KubeObject,
    apiVersion: string,
    kind: string,
    templateLabels: Record<string, string> | undefined,
    data: Record<string, unknown>,
    revision: number,
    collisionCount: number | undefined,
    hashLabel: string,
  ): ControllerRevision {
    const hash = hashRevisionData(data, collisionCount);
    return {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: revisionName(parent.metadata.name!, hash),
        namespace: parent.metadata.namespace,
        labels: { ...templateLabels, [hashLabel]: hash },
        ...(parent.metadata.annotations ? { annotations: { ...parent.metadata.annotations } } : {}),
        ownerReferences: [controllerRef(parent, apiVersion, kind)],
      },
      data,
      revision,
    };
  }

  /**
   * CreateControllerRevision: creates the revision, renaming it with a higher collision count while its name
   * is taken by a revision of other data. Returns what was created (or found equal) and the collision count.
   */
  async create(
    parent: KubeObject,
    revision: ControllerRevision,
    collisionCount: number,
    hashLabel: string,
  ): Promise<{ revision: ControllerRevision; collisionCount: number }> {
    for (;;) {
      const hash = hashRevisionData(revision.data, collisionCount || undefined);
      const candidate = structuredClone(revision);
      candidate.metadata.name = revisionName(parent.metadata.name!, hash);
      candidate.metadata.labels = { ...candidate.metadata.labels, [hashLabel]: hash };
      try {
        return { revision: await this.client.create(candidate), collisionCount };
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        const existing = await this.client.get(parent.metadata.namespace!, candidate.metadata.name);
        if (equalRevisions(existing, candidate)) return { revision: existing, collisionCount };
        collisionCount++;
      }
    }
  }

  /** UpdateControllerRevision: gives an existing revision a new number (a rollback makes an old template current again). */
  async renumber(revision: ControllerRevision, number: number): Promise<ControllerRevision> {
    if (revision.revision === number) return revision;
    return this.client.update({ ...structuredClone(revision), revision: number });
  }
}

/** The RevisionClient that writes through the API. */
export function apiRevisionClient(client: Client): RevisionClient {
  const revisions = client.resource<ControllerRevision>(ControllerRevisions);
  return {
    create: (cr) => revisions.create(cr),
    get: (ns, name) => revisions.get(ns, name),
    update: (cr) => revisions.update(cr),
    delete: (ns, name) => revisions.delete(ns, name),
    adopt: (cr, owner, apiVersion, kind) =>
      revisions.patch(cr.metadata.namespace, cr.metadata.name!, {
        metadata: {
          ownerReferences: [...(cr.metadata.ownerReferences ?? []), controllerRef(owner, apiVersion, kind)],
          resourceVersion: cr.metadata.resourceVersion,
        },
      }),
  };
}

/** A RevisionClient for unit tests: keeps what was written, refuses a create of a taken name as the API does. */
export class FakeRevisionClient implements RevisionClient {
  readonly store = new Map<string, ControllerRevision>();
  readonly calls: string[] = [];

  constructor(existing: ControllerRevision[] = []) {
    for (const cr of existing) this.store.set(cr.metadata.name!, cr);
  }

  async create(cr: ControllerRevision): Promise<ControllerRevision> {
    if (this.store.has(cr.metadata.name!)) throw alreadyExists('controllerrevisions.apps', cr.metadata.name!);
    this.calls.push(`create ${cr.metadata.name} ${cr.revision}`);
    this.store.set(cr.metadata.name!, cr);
    return cr;
  }

  async get(_ns: string, name: string): Promise<ControllerRevision> {
    const cr = this.store.get(name);
    if (!cr) throw notFound('controllerrevisions.apps', name);
    return cr;
  }

  async update(cr: ControllerRevision): Promise<ControllerRevision> {
    this.calls.push(`update ${cr.metadata.name} ${cr.revision}`);
    this.store.set(cr.metadata.name!, cr);
    return cr;
  }

  async delete(_ns: string, name: string): Promise<void> {
    this.calls.push(`delete ${name}`);
    this.store.delete(name);
  }

  async adopt(cr: ControllerRevision, owner: KubeObject, apiVersion: string, kind: string): Promise<ControllerRevision> {
    this.calls.push(`adopt ${cr.metadata.name}`);
    return { ...cr, metadata: { ...cr.metadata, ownerReferences: [controllerRef(owner, apiVersion, kind)] } };
  }
}
