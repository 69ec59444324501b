// Field selectors: `?fieldSelector=spec.nodeName=node-1,status.phase!=Running`. Only equality is
// supported, as in Kubernetes; terms arrive in any order.
import { badRequest } from './errors';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  readonly requirements: FieldRequirement[];
  /** `get(path)` returns the object's value at a field path, or undefined. */
  matches(get: (path: string) => string | undefined): boolean;
  /** The value required by `field=value`, if the selector has such a term. */
  exactValue(field: string): string | undefined;
}

export function parseFieldSelector(text: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const raw of text.split(',')) {
    const term = raw.trim();
    if (term === '') continue;
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    requirements.push({ field: m[1].trim(), op: m[2] === '!=' ? '!=' : '=', value: m[3].trim() });
  }
  return {
    requirements,
    matches: (get) => requirements.every((r) => ((get(r.field) ?? '') === r.value) === (r.op === '=')),
    exactValue: (field) => requirements.find((r) => r.field === field && r.op === '=')?.value,
  };
}
