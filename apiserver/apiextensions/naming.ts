// apiextensions-apiserver's NamingConditionController and EstablishingController, as one pure decision: the
// names a CRD may have (none of its plural, singular, short names, kind or list kind already used by another
// CRD of its group), its NamesAccepted condition, and Established once the names are accepted.
import type {
  CustomResourceDefinition,
  CustomResourceDefinitionCondition,
  CustomResourceDefinitionNames,
} from '../../shared/api/apiextensions';
import { crdCondition } from '../../shared/api/apiextensions';

type Condition = Omit<CustomResourceDefinitionCondition, 'lastTransitionTime'>;

export interface NamingDecision {
  acceptedNames: CustomResourceDefinitionNames;
  conditions: Condition[];
}

export function decideNames(crd: CustomResourceDefinition, all: CustomResourceDefinition[]): NamingDecision {
  const others = all.filter((c) => c.metadata.name !== crd.metadata.name && c.spec.group === crd.spec.group);
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const other of others) {
    const n = other.status?.acceptedNames;
    if (!n?.plural) continue;
    for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (r) resources.add(r);
    for (const k of [n.kind, n.listKind]) if (k) kinds.add(k);
  }
  const wanted = crd.spec.names;
  const previous = crd.status?.acceptedNames ?? { plural: '', kind: '' };
  const accepted: CustomResourceDefinitionNames = { ...previous };
  const problems: [string, string][] = [];
  const check = (reason: string, values: (string | undefined)[], used: Set<string>) => {
    const conflict = values.find((v) => v && used.has(v));
    if (conflict) problems.push([reason, `"${conflict}" is already in use`]);
    return !conflict;
  };
  if (check('PluralConflict', [wanted.plural], resources)) accepted.plural = wanted.plural;
  if (check('SingularConflict', [wanted.singular], resources)) accepted.singular = wanted.singular;
  if (check('ShortNamesConflict', wanted.shortNames ?? [], resources)) accepted.shortNames = wanted.shortNames;
  if (check('KindConflict', [wanted.kind], kinds)) accepted.kind = wanted.kind;
  if (check('ListKindConflict', [wanted.listKind], kinds)) accepted.listKind = wanted.listKind;
  accepted.categories = wanted.categories;
  for (const key of Object.keys(accepted) as (keyof CustomResourceDefinitionNames)[]) if (accepted[key] === undefined) delete accepted[key];

  const namesAccepted: Condition = problems.length
    ? { type: 'NamesAccepted', status: 'False', reason: problems[0][0], message: problems[0][1] }
    : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  const wasEstablished = crdCondition(crd, 'Established')?.status === 'True';
  const established: Condition =
    wasEstablished || !problems.length
      ? { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }
      : { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' };
  return { acceptedNames: accepted, conditions: [namesAccepted, established] };
}

/** Sets a condition, keeping its lastTransitionTime unless its status changes (apiextensions' SetCRDCondition). */
export function setCondition(crd: CustomResourceDefinition, condition: Condition, now: string): void {
  const status = (crd.status ??= {});
  const conditions = (status.conditions ??= []);
  const i = conditions.findIndex((c) => c.type === condition.type);
  const existing = conditions[i];
  const next = { ...condition, lastTransitionTime: existing && existing.status === condition.status ? existing.lastTransitionTime : now };
  if (i < 0) conditions.push(next);
  else conditions[i] = next;
}
