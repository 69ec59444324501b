// Label selectors: the text form used in `?labelSelector=` and `kubectl -l` (`a=b`, `a==b`, `a!=b`,
// `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-joined), and the structured LabelSelector of
// Deployments and ReplicaSets (matchLabels + matchExpressions).
import type { LabelSelector } from './api/meta';
import { badRequest } from './errors';

export type Operator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export interface Selector {
  matches(labels: Record<string, string> | undefined): boolean;
  /** True when the selector matches everything. */
  empty(): boolean;
  toString(): string;
  readonly requirements: readonly Requirement[];
}

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case '=':
      return has && value === r.values[0];
    case '!=':
      return !has || value !== r.values[0];
    case 'in':
      return has && r.values.includes(value);
    case 'notin':
      return !has || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
  }
}

function requirementString(r: Requirement): string {
  switch (r.operator) {
    case '=':
      return `${r.key}=${r.values[0]}`;
    case '!=':
      return `${r.key}!=${r.values[0]}`;
    case 'in':
      return `${r.key} in (${r.values.join(',')})`;
    case 'notin':
      return `${r.key} notin (${r.values.join(',')})`;
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
  }
}

class RequirementsSelector implements Selector {
  constructor(readonly requirements: readonly Requirement[]) {}

  matches(labels: Record<string, string> | undefined): boolean {
    const l = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, l));
  }

  empty(): boolean {
    return this.requirements.length === 0;
  }

  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

/** Matches no object: what a missing LabelSelector means in Kubernetes. */
const NOTHING: Selector = {
  requirements: [],
  matches: () => false,
  empty: () => false,
  toString: () => '',
};

export const everything = (): Selector => new RequirementsSelector([]);

// ---- parsing the text form -------------------------------------------------------------------------

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, text: string): void {
  if (!KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${text}"`);
}

function checkValue(value: string, text: string): void {
  if (!VALUE.test(value) || value.length > 63)
    throw badRequest(`unable to parse requirement: invalid label value "${value}" in selector "${text}"`);
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim());
}

function parseTerm(term: string, text: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
  if (set) {
    const values = set[3]
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    checkKey(set[1], text);
    values.forEach((v) => checkValue(v, text));
    return { key: set[1], operator: set[2] as 'in' | 'notin', values };
  }
  const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (eq) {
    checkKey(eq[1], text);
    checkValue(eq[3], text);
    return { key: eq[1], operator: eq[2] === '!=' ? '!=' : '=', values: [eq[3]] };
  }
  const not = /^!\s*(\S+)$/.exec(term);
  if (not) {
    checkKey(not[1], text);
    return { key: not[1], operator: '!', values: [] };
  }
  if (/^\S+$/.test(term)) {
    checkKey(term, text);
    return { key: term, operator: 'exists', values: [] };
  }
  throw badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
}

/** Parses `?labelSelector=` text. An empty string selects everything. Throws BadRequest. */
export function parseSelector(text: string): Selector {
  const trimmed = text.trim();
  if (trimmed === '') return everything();
  return new RequirementsSelector(splitTerms(trimmed).map((t) => parseTerm(t, text)));
}

// ---- structured selectors ------------------------------------------------------------------------

/** Kubernetes' LabelSelectorAsSelector: undefined matches nothing, `{}` matches everything. */
export function selectorFromLabelSelector(ls: LabelSelector | undefined | null): Selector {
  if (!ls) return NOTHING;
  const requirements: Requirement[] = [];
  for (const key of Object.keys(ls.matchLabels ?? {}).sort()) {
    requirements.push({ key, operator: '=', values: [ls.matchLabels![key]] });
  }
  for (const e of ls.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort();
    switch (e.operator) {
      case 'In':
        requirements.push({ key: e.key, operator: 'in', values });
        break;
      case 'NotIn':
        requirements.push({ key: e.key, operator: 'notin', values });
        break;
      case 'Exists':
        requirements.push({ key: e.key, operator: 'exists', values: [] });
        break;
      case 'DoesNotExist':
        requirements.push({ key: e.key, operator: '!', values: [] });
        break;
    }
  }
  return new RequirementsSelector(requirements);
}

/** A selector requiring every label of `set` (a Service's selector). An empty or missing set matches everything. */
export function selectorFromSet(set: Record<string, string> | undefined): Selector {
  return new RequirementsSelector(
    Object.keys(set ?? {})
      .sort()
      .map((key) => ({ key, operator: '=' as const, values: [set![key]] })),
  );
}

/** The text form of a LabelSelector, as Scale's status.selector and `kubectl describe` show it. */
export function formatLabelSelector(ls: LabelSelector | undefined): string {
  if (!ls) return '<none>';
  const text = selectorFromLabelSelector(ls).toString();
  return text === '' ? '<none>' : text;
}
