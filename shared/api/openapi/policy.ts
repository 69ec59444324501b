// policy/v1: PodDisruptionBudgets and Evictions.
// Field names and types are Kubernetes'; see model.ts for the builders.
import { definitions, int32, int64, listMap, map, object, ref, str } from './model';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

export const policy = definitions('io.k8s.api.policy.v1', {
  Eviction: object(
    {
      apiVersion: str(),
      deleteOptions: ref(`${META}.DeleteOptions`, 'How the pod is deleted once the eviction is allowed.'),
      kind: str(),
      metadata: ref(`${META}.ObjectMeta`, 'The pod to evict: its name and namespace.'),
    },
    { description: 'A request to take one pod down within its PodDisruptionBudgets: POST pods/<name>/eviction.' },
  ),
  PodDisruptionBudget: object(
    {
      apiVersion: str(),
      kind: str(),
      metadata: ref(`${META}.ObjectMeta`),
      spec: ref('PodDisruptionBudgetSpec', 'What the budget allows.'),
      status: ref('PodDisruptionBudgetStatus', 'What the disruption controller last counted.'),
    },
    { description: 'A bound on how many pods of an application voluntary disruptions (evictions) may take down at once.' },
  ),
  PodDisruptionBudgetSpec: object({
    maxUnavailable: ref(INT_OR_STRING, 'At most this many of the expected pods (or this percentage) may be unavailable after an eviction.'),
    minAvailable: ref(INT_OR_STRING, 'At least this many of the selected pods (or this percentage) stay available after an eviction.'),
    selector: ref(`${META}.LabelSelector`, 'The pods the budget covers, in its namespace. An empty selector covers them all.'),
    unhealthyPodEvictionPolicy: str('When unready pods may be evicted: IfHealthyBudget (the default) or AlwaysAllow.', {
      enum: ['AlwaysAllow', 'IfHealthyBudget'],
    }),
  }),
  PodDisruptionBudgetStatus: object(
    {
      conditions: listMap(ref(`${META}.Condition`), ['type'], 'DisruptionAllowed: whether an eviction would be allowed now.'),
      currentHealthy: int32('Selected pods that are ready.'),
      desiredHealthy: int32('Ready pods the budget wants at least.'),
      disruptedPods: map(ref(`${META}.Time`), 'Pods evicted and not yet seen deleted, with the time of their eviction.'),
      disruptionsAllowed: int32('Evictions allowed now.'),
      expectedPods: int32('Pods the budget counts on: the selected ones, or the scale of their controllers.'),
      observedGeneration: int64('The generation of the spec this status was computed from.'),
    },
    { required: ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] },
  ),
});
