// Label selectors: the text form used in `?labelSelector=` and `kubectl -l` (`a=b`, `a==b`, `a!=b`,
// `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-joined), and the structured LabelSelector of
// Deployments and ReplicaSets (matchLabels + matchExpressions).
import type { LabelSelector } from './api/meta';
import { labelValueMessages, qualifiedNameMessages } from './api/names';
import { badRequest } from './errors';

export type Operator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';

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

function requirementMatches(r: Requirement, values: ReadonlySet<string>, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case '=':
      return has && value === r.values[0];
    case '!=':
      return !has || value !== r.values[0];
    case 'in':
      return has && values.has(value);
    case 'notin':
      return !has || !values.has(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case '>':
    case '<': {
      const [n, bound] = [Number(value), Number(r.values[0])];
      return has && /^[+-]?\d+$/.test(value) && (r.operator === '>' ? n > bound : n < bound);
    }
  }
}

function requirementString(r: Requirement): string {
  switch (r.operator) {
    case '=':
    case '!=':
    case '>':
    case '<':
      return `${r.key}${r.operator}${r.values[0]}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
  }
}

const EMPTY: ReadonlySet<string> = new Set();

class RequirementsSelector implements Selector {
  /** Each requirement's values as a set: a selector may list thousands, and is matched against every object. */
  private readonly valueSets: ReadonlySet<string>[];

  constructor(readonly requirements: readonly Requirement[]) {
    this.valueSets = requirements.map((r) => (r.operator === 'in' || r.operator === 'notin' ? new Set(r.values) : EMPTY));
  }

  matches(labels: Record<string, string> | undefined): boolean {
    const l = labels ?? {};
    return this.requirements.every((r, i) => requirementMatches(r, this.valueSets[i], l));
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
//
// apimachinery's labels.Parse, as a lexer and a recursive-descent parser over its tokens: one pass over
// the text and one over the tokens, so the cost is linear in the selector, whatever it holds. Errors
// are worded as Kubernetes words them.

type Token = 'identifier' | 'end' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<' | 'in' | 'notin';
interface Item {
  token: Token;
  literal: string;
}

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const isBlank = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/** Hands out the tokens of the text one at a time (operators longest first, `in`/`notin`, identifiers, then `end`), with one of lookahead. */
class Tokens {
  private pos = 0;
  private next: Item;

  constructor(private readonly text: string) {
    this.next = this.lex();
  }

  /** The next token; where a requirement's values are read (`values`), `in` and `notin` are words like any other. */
  lookahead(values = true): Item {
    return asValue(this.next, values);
  }

  consume(values = true): Item {
    const item = this.next;
    if (item.token !== 'end') this.next = this.lex();
    return asValue(item, values);
  }

  private lex(): Item {
    const text = this.text;
    while (this.pos < text.length && isBlank(text[this.pos])) this.pos++;
    if (this.pos >= text.length) return { token: 'end', literal: '' };
    if (SPECIAL.has(text[this.pos])) {
      const two = text.slice(this.pos, this.pos + 2);
      const literal = two === '==' || two === '!=' ? two : text[this.pos];
      this.pos += literal.length;
      return { token: literal as Token, literal };
    }
    const start = this.pos;
    while (this.pos < text.length && !SPECIAL.has(text[this.pos]) && !isBlank(text[this.pos])) this.pos++;
    const literal = text.slice(start, this.pos);
    return { token: literal === 'in' || literal === 'notin' ? literal : 'identifier', literal };
  }
}

const asValue = (item: Item, values: boolean): Item =>
  values && (item.token === 'in' || item.token === 'notin') ? { token: 'identifier', literal: item.literal } : item;

class ParseError extends Error {}
const found = (literal: string, expected: string) => new ParseError(`found '${literal}', expected: ${expected}`);

/** A field error as Go prints it: `<path>: Invalid value: "<value>": <messages>`. */
const invalidValue = (path: string, value: string, messages: string[]) =>
  `${path}: Invalid value: ${JSON.stringify(value)}: ${messages.join('; ')}`;

/** NewRequirement's checks of the values; throws the aggregated errors. */
function newRequirement(key: string, operator: Operator, values: string[]): Requirement {
  const errors: string[] = [];
  if (operator === '>' || operator === '<') {
    values.forEach((v, i) => {
      if (!/^[+-]?\d{1,19}$/.test(v) || !Number.isSafeInteger(Number(v)))
        errors.push(invalidValue(`values[${i}]`, v, ["for 'Gt', 'Lt' operators, the value must be an integer"]));
    });
  }
  values.forEach((v, i) => {
    const messages = labelValueMessages(v);
    if (messages.length) errors.push(invalidValue(`values[${i}][${key}]`, v, messages));
  });
  if (errors.length) throw new ParseError(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
  return { key, operator, values };
}

function parseKey(tokens: Tokens): { key: string; operator?: Operator } {
  let { token, literal } = tokens.consume();
  let operator: Operator | undefined;
  if (token === '!') {
    operator = '!';
    ({ token, literal } = tokens.consume());
  }
  if (token !== 'identifier') throw found(literal, 'identifier');
  const messages = qualifiedNameMessages(literal);
  if (messages.length) throw new ParseError(invalidValue('<nil>', literal, messages));
  const next = tokens.lookahead().token;
  if (operator === undefined && (next === 'end' || next === ',')) operator = 'exists';
  return { key: literal, operator };
}

function parseOperator(tokens: Tokens): Operator {
  const { token, literal } = tokens.consume(false);
  switch (token) {
    case 'in':
    case 'notin':
    case '!=':
    case '>':
    case '<':
      return token;
    case '=':
    case '==':
      return '=';
    default:
      throw found(literal, 'in, notin, =, ==, !=, gt, lt');
  }
}

/** `(a,b,,c)`: a set of values, sorted; empty places are the empty value. */
function parseValues(tokens: Tokens): string[] {
  const open = tokens.consume();
  if (open.token !== '(') throw new ParseError(`found '${open.literal}' expected: '('`);
  const first = tokens.lookahead();
  if (first.token === ')') {
    tokens.consume();
    return [''];
  }
  if (first.token !== 'identifier' && first.token !== ',') throw found(first.literal, "',', ')' or identifier");
  const values = new Set<string>();
  for (;;) {
    const { token, literal } = tokens.consume();
    if (token === 'identifier') {
      values.add(literal);
      const next = tokens.lookahead();
      if (next.token === ')') break;
      if (next.token !== ',') throw found(next.literal, "',' or ')'");
    } else if (token === ',') {
      const next = tokens.lookahead().token;
      if (values.size === 0 || next === ')' || next === ',') values.add('');
      if (next === ')') break;
    } else {
      throw found(literal, "',', or identifier");
    }
  }
  // Kubernetes reports the token seen after `(` here, not the one it found.
  if (tokens.consume().token !== ')') throw found(first.literal, "')'");
  return [...values].sort();
}

function parseExactValue(tokens: Tokens): string[] {
  const next = tokens.lookahead().token;
  if (next === 'end' || next === ',') return [''];
  const { token, literal } = tokens.consume();
  if (token !== 'identifier') throw found(literal, 'identifier');
  return [literal];
}

function parseRequirement(tokens: Tokens): Requirement {
  const { key, operator: inferred } = parseKey(tokens);
  if (inferred) return { key, operator: inferred, values: [] };
  const operator = parseOperator(tokens);
  return newRequirement(key, operator, operator === 'in' || operator === 'notin' ? parseValues(tokens) : parseExactValue(tokens));
}

function parseRequirements(text: string): Requirement[] {
  const tokens = new Tokens(text);
  const requirements: Requirement[] = [];
  for (;;) {
    const { token, literal } = tokens.lookahead();
    if (token === 'end') break;
    if (token !== 'identifier' && token !== '!') throw found(literal, "!, identifier, or 'end of string'");
    try {
      requirements.push(parseRequirement(tokens));
    } catch (err) {
      throw err instanceof ParseError ? new ParseError(`unable to parse requirement: ${err.message}`) : err;
    }
    const next = tokens.consume();
    if (next.token === 'end') break;
    if (next.token !== ',') throw found(next.literal, "',' or 'end of string'");
    const after = tokens.lookahead();
    if (after.token !== 'identifier' && after.token !== '!') throw found(after.literal, "identifier after ','");
  }
  // Sorted by key, as Kubernetes sorts them.
  return requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Parses `?labelSelector=` text. An empty string selects everything. Throws BadRequest. */
export function parseSelector(text: string): Selector {
  try {
    return new RequirementsSelector(parseRequirements(text));
  } catch (err) {
    throw err instanceof ParseError ? badRequest(err.message) : err;
  }
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

/** A label map as kubectl prints it (labels.FormatLabels): `k=v,k2=v2`, or `<none>`. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const pairs = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return pairs.length ? pairs.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}
