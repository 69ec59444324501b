// Deployment helpers (Kubernetes' deployment/util): the pod-template-hash, revisions, and the
// maxSurge/maxUnavailable arithmetic.
import { createHash } from 'node:crypto';
import type { Deployment, ReplicaSet } from '../../shared/api/apps';
import type { IntOrString, PodTemplateSpec } from '../../shared/api/core';
import { semanticallyEqual } from '../../shared/equality';
import { SAFE_ALPHABET } from '../../shared/names';

export const REVISION = 'deployment.kubernetes.io/revision';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** A short, stable hash of a pod template, in Kubernetes' "safe" alphabet (no vowels). */
export function templateHash(template: PodTemplateSpec, collisionCount = 0): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  const digest = createHash('sha256')
    .update(JSON.stringify(canonical(template)) + (collisionCount ? String(collisionCount) : ''))
    .digest();
  let out = '';
  for (let i = 0; i < 10; i++) out += SAFE_ALPHABET[digest[i] % SAFE_ALPHABET.length];
  return out;
}

/** The template without the pod-template-hash label: what a Deployment's template is compared by. */
export function withoutHash(template: PodTemplateSpec): PodTemplateSpec {
  const t = structuredClone(template);
  if (t.metadata?.labels) delete t.metadata.labels[POD_TEMPLATE_HASH];
  return t;
}

export function equalTemplates(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return semanticallyEqual(withoutHash(a), withoutHash(b));
}

export const revisionOf = (rs: ReplicaSet): number => Number(rs.metadata.annotations?.[REVISION] ?? 0);

/** An IntOrString of replicas: `25%` of total, rounded up (surge) or down (unavailable). */
function resolve(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const pct = (parseInt(v, 10) * total) / 100;
  return roundUp ? Math.ceil(pct) : Math.floor(pct);
}

/** [maxSurge, maxUnavailable] for a rolling update; both 0 becomes unavailable 1, as Kubernetes does. */
export function surgeAndUnavailable(d: Deployment): [number, number] {
  const replicas = d.spec.replicas ?? 1;
  const ru = d.spec.strategy?.rollingUpdate;
  const surge = resolve(ru?.maxSurge ?? '25%', replicas, true);
  let unavailable = resolve(ru?.maxUnavailable ?? '25%', replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, Math.min(unavailable, replicas)];
}
