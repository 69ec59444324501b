// policy/v1: PodDisruptionBudgets, which bound how many of an application's pods voluntary disruptions
// (evictions: `kubectl drain`) may take down at once, and Evictions, the request to take one pod down
// within its budget (POST pods/<name>/eviction).
import type { IntOrString } from './core';
import type { Condition, DeleteOptions, KubeObject, LabelSelector } from './meta';

/** IfHealthyBudget (the default): unready pods are evicted only while the application meets its budget. */
export type UnhealthyPodEvictionPolicy = 'IfHealthyBudget' | 'AlwaysAllow';

export interface PodDisruptionBudgetSpec {
  /** At least this many (or this percentage) of the selected pods stay available; excludes maxUnavailable. */
  minAvailable?: IntOrString;
  /** At most this many (or this percentage) of the expected pods may be unavailable. */
  maxUnavailable?: IntOrString;
  /** The pods the budget covers, in its namespace; an empty selector covers every pod, none covers none. */
  selector?: LabelSelector;
  unhealthyPodEvictionPolicy?: UnhealthyPodEvictionPolicy;
}

export interface PodDisruptionBudgetStatus {
  observedGeneration?: number;
  /** Pods the eviction API has let go and the controller has not yet seen deleted: name → time of the eviction. */
  disruptedPods?: Record<string, string>;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  /** DisruptionAllowed: True (SufficientPods), False (InsufficientPods or SyncFailed). */
  conditions?: Condition[];
}

export interface PodDisruptionBudget extends KubeObject {
  spec: PodDisruptionBudgetSpec;
  status?: PodDisruptionBudgetStatus;
}

export interface Eviction extends KubeObject {
  deleteOptions?: DeleteOptions;
}

export const DISRUPTION_ALLOWED = 'DisruptionAllowed';

/** The status a budget starts with: nothing allowed until the disruption controller has counted. */
export const EMPTY_PDB_STATUS: PodDisruptionBudgetStatus = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };

/**
 * pdbhelper.UpdateDisruptionAllowedCondition: DisruptionAllowed True with SufficientPods while a
 * disruption is allowed, else False with InsufficientPods; its transition time moves only when it flips.
 */
export function setDisruptionAllowedCondition(status: PodDisruptionBudgetStatus, now: string, reason?: string, message?: string): void {
  const allowed = status.disruptionsAllowed > 0 && !reason;
  const next: Condition = {
    type: DISRUPTION_ALLOWED,
    status: allowed ? 'True' : 'False',
    reason: reason ?? (allowed ? 'SufficientPods' : 'InsufficientPods'),
    message: message ?? '',
    observedGeneration: status.observedGeneration,
    lastTransitionTime: now,
  };
  const conditions = status.conditions ?? [];
  const old = conditions.find((c) => c.type === DISRUPTION_ALLOWED);
  if (old && old.status === next.status) next.lastTransitionTime = old.lastTransitionTime;
  status.conditions = [...conditions.filter((c) => c.type !== DISRUPTION_ALLOWED), next];
}
