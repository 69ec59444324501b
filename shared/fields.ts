// Field selectors: `?fieldSelector=spec.nodeName=node-1,status.phase!=Running`. Only (in)equality is
// supported, as in Kubernetes; terms arrive in any order.
//
// The grammar is apimachinery's fields.ParseSelector: terms split on commas not escaped by a backslash,
// each split at its first `!=`, `==` or `=`; the value may escape `\`, `,` and `=` with a backslash.
// Nothing is trimmed. Each step is a single left-to-right scan, linear in the selector (the regular
// expression used before backtracked quadratically on a run of blanks).
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

/** The comma-separated terms; a backslash-escaped comma stays inside its term, backslash and all. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

/** Splits a term at its first operator (`!=` before `==` before `=` at each position). */
function splitTerm(term: string): FieldRequirement | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), op: op === '!=' ? '!=' : '=', value: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** UnescapeValue: `\\`, `\,` and `\=` stand for themselves; any other backslash, or a bare `,` or `=`, is an error. */
function unescapeValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') {
      const next = value[++i];
      if (next !== '\\' && next !== ',' && next !== '=')
        throw badRequest(`invalid field selector: invalid escape sequence: \\${next ?? ''}`);
      out += next;
    } else if (c === ',' || c === '=') {
      // Kubernetes prints the character's code point here (a Go rune formatted with %v).
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else out += c;
  }
  return out;
}

export function parseFieldSelector(text: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const term of text === '' ? [] : splitTerms(text).sort()) {
    if (term === '') continue;
    const requirement = splitTerm(term);
    if (!requirement) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    requirements.push({ ...requirement, value: unescapeValue(requirement.value) });
  }
  return {
    requirements,
    matches: (get) => requirements.every((r) => ((get(r.field) ?? '') === r.value) === (r.op === '=')),
    exactValue: (field) => requirements.find((r) => r.field === field && r.op === '=')?.value,
  };
}
