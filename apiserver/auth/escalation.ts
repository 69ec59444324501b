// Privilege escalation through RBAC: a user may grant (in a Role, a ClusterRole or by a binding) only
// rules it already holds itself. `covers` splits the granted rules into single-verb, single-resource,
// single-name rules and looks for an owner rule that covers each one; what is left is what the user
// lacks, reported as Kubernetes reports it:
//   user "bob" (groups=["team" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:
//   {APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}
import type { UserInfo } from '../../shared/api/authentication';
import type { PolicyRule } from '../../shared/api/rbac';
import type { RuleResolver } from './rbac';

const includes = (set: string[] | undefined, value: string) => !!set?.includes(value);
const includesAll = (set: string[] | undefined, values: string[] | undefined) => (values ?? []).every((v) => includes(set, v));

/** One granted rule as atoms: each holds one group, resource and verb (and at most one name), or one path and verb. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const atoms: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? [])
    for (const resource of rule.resources ?? [])
      for (const verb of rule.verbs) {
        if (rule.resourceNames?.length)
          for (const name of rule.resourceNames)
            atoms.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        else atoms.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) atoms.push({ nonResourceURLs: [url], verbs: [verb] });
  return atoms;
}

/** `*` covers every resource, `*\/status` every status subresource. */
function resourcesCover(owner: string[] | undefined, wanted: string[] | undefined): boolean {
  if (includes(owner, '*')) return true;
  return (wanted ?? []).every((r) => includes(owner, r) || (r.includes('/') && includes(owner, `*/${r.slice(r.indexOf('/') + 1)}`)));
}

/** `/apis/*` covers every path under /apis/. */
function urlsCover(owner: string[] | undefined, wanted: string[] | undefined): boolean {
  return (wanted ?? []).every((path) =>
    (owner ?? []).some((o) => o === path || (o.endsWith('*') && path.startsWith(o.replace(/\*+$/, '')))),
  );
}

/** Whether one owner rule covers one atom of a granted rule. */
function ruleCovers(owner: PolicyRule, atom: PolicyRule): boolean {
  const names = atom.resourceNames?.length
    ? !owner.resourceNames?.length || includesAll(owner.resourceNames, atom.resourceNames)
    : !owner.resourceNames?.length;
  return (
    (includes(owner.verbs, '*') || includesAll(owner.verbs, atom.verbs)) &&
    (includes(owner.apiGroups, '*') || includesAll(owner.apiGroups, atom.apiGroups)) &&
    resourcesCover(owner.resources, atom.resources) &&
    urlsCover(owner.nonResourceURLs, atom.nonResourceURLs) &&
    names
  );
}

/** The atoms of `granted` that no rule of `owner` covers; none means the owner holds all of it. */
export function uncovered(owner: PolicyRule[], granted: PolicyRule[]): PolicyRule[] {
  return granted.flatMap(breakdownRule).filter((atom) => !owner.some((o) => ruleCovers(o, atom)));
}

/** Joins atoms that differ only in their verb (one group, one resource, at most one name) into one rule. */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const simple = new Map<string, PolicyRule>();
  const rest: PolicyRule[] = [];
  for (const rule of rules) {
    const isSimple =
      rule.apiGroups?.length === 1 &&
      rule.resources?.length === 1 &&
      (rule.resourceNames?.length ?? 0) <= 1 &&
      !rule.nonResourceURLs?.length;
    if (!isSimple) {
      rest.push(rule);
      continue;
    }
    const key = JSON.stringify([rule.apiGroups, rule.resources, rule.resourceNames ?? []]);
    const existing = simple.get(key);
    if (existing) existing.verbs = [...existing.verbs, ...rule.verbs];
    else simple.set(key, { ...rule, verbs: [...rule.verbs] });
  }
  return [...rest, ...simple.values()];
}

/** `{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}`: a rule as Go's %q prints its lists. */
export function compactString(rule: PolicyRule): string {
  const list = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
  const parts: string[] = [];
  if (rule.apiGroups?.length) parts.push(`APIGroups:${list(rule.apiGroups)}`);
  if (rule.resources?.length) parts.push(`Resources:${list(rule.resources)}`);
  if (rule.nonResourceURLs?.length) parts.push(`NonResourceURLs:${list(rule.nonResourceURLs)}`);
  if (rule.resourceNames?.length) parts.push(`ResourceNames:${list(rule.resourceNames)}`);
  if (rule.verbs.length) parts.push(`Verbs:${list(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/**
 * Kubernetes' ConfirmNoEscalation: undefined when `user`, with the rules it holds in `namespace`, holds
 * every rule of `granted`; else why not (the text after `... is forbidden: `).
 */
export function escalationRefusal(rules: RuleResolver, user: UserInfo, namespace: string, granted: PolicyRule[]): string | undefined {
  const missing = uncovered(rules.rulesFor(user, namespace), granted);
  if (!missing.length) return undefined;
  const described = [...new Set(compactRules(missing).map(compactString))].sort();
  const groups = `[${(user.groups ?? []).map((g) => JSON.stringify(g)).join(' ')}]`;
  return `user ${JSON.stringify(user.username)} (groups=${groups}) is attempting to grant RBAC permissions not currently held:\n${described.join('\n')}`;
}
