// What every kind's validation shares (apimachinery's validation of ObjectMeta and label selectors):
// names, labels, annotations and selectors, with Kubernetes' field paths and wording.
import type { IntOrString } from '../core';
import type { ObjectMeta, LabelSelector, StatusCause } from '../meta';
import { dns1035LabelMessages, dns1123LabelMessages, dns1123SubdomainMessages, labelValueMessages, qualifiedNameMessages } from '../names';
import { fieldError } from '../../errors';

/** Appends `more` to `errors`; `errors.push(...more)` overflows the stack past ~100,000 causes. */
export function append(errors: StatusCause[], more: StatusCause[]): void {
  for (const e of more) errors.push(e);
}

// ---- names -----------------------------------------------------------------------------------------

/** A rule for `metadata.name` (Kubernetes' ValidateNameFunc): the errors for `name` at `field`. */
export type NameRule = (field: string, name: string) => StatusCause[];

const invalidEach = (field: string, value: unknown, messages: string[]): StatusCause[] =>
  messages.map((m) => fieldError.invalid(field, value, m));

export const dns1123LabelErrors: NameRule = (field, value) => invalidEach(field, value, dns1123LabelMessages(value));
export const dns1123SubdomainErrors: NameRule = (field, value) => invalidEach(field, value, dns1123SubdomainMessages(value));
export const dns1035LabelErrors: NameRule = (field, value) => invalidEach(field, value, dns1035LabelMessages(value));
export const qualifiedNameErrors = (field: string, key: string) => invalidEach(field, key, qualifiedNameMessages(key));

/** RBAC objects are named like path segments (`system:kube-scheduler` is fine). */
export const pathSegmentNameErrors: NameRule = (field, name) => {
  if (name === '.' || name === '..') return [fieldError.invalid(field, name, `may not be '${name}'`)];
  const bad = ['/', '%'].find((c) => name.includes(c));
  return bad ? [fieldError.invalid(field, name, `may not contain '${bad}'`)] : [];
};

export function labelErrors(field: string, labels: Record<string, string> | undefined | null): StatusCause[] {
  const errors: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    append(errors, qualifiedNameErrors(field, k));
    append(errors, invalidEach(field, v, labelValueMessages(v)));
  }
  return errors;
}

/** Kubernetes' TotalAnnotationSizeLimitB: keys and values together, in bytes. */
const MAX_ANNOTATIONS_BYTES = 256 * 1024;

/** ValidateAnnotations: keys are qualified names (checked lower-cased), and all of them fit in 256 KiB. */
function annotationErrors(field: string, annotations: Record<string, string> | undefined | null): StatusCause[] {
  const errors: StatusCause[] = [];
  let bytes = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    append(errors, invalidEach(field, k, qualifiedNameMessages(k.toLowerCase())));
    bytes += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (bytes > MAX_ANNOTATIONS_BYTES) errors.push(fieldError.tooLong(field, MAX_ANNOTATIONS_BYTES));
  return errors;
}

/** ValidateObjectMeta: a name (by the kind's rule) or a generateName, valid labels and annotations. */
export function objectMetaErrors(m: ObjectMeta, nameRule: NameRule = dns1123SubdomainErrors): StatusCause[] {
  const errors: StatusCause[] = [];
  if (!m.name && !m.generateName) errors.push(fieldError.required('metadata.name', 'name or generateName is required'));
  if (m.name) append(errors, nameRule('metadata.name', m.name));
  append(errors, labelErrors('metadata.labels', m.labels));
  append(errors, annotationErrors('metadata.annotations', m.annotations));
  return errors;
}

/** The validation of a kind that has nothing to check but its metadata (Leases, Events). */
export const validateObjectMeta = (obj: { metadata: ObjectMeta }): StatusCause[] => objectMetaErrors(obj.metadata);

// ---- selectors ---------------------------------------------------------------------------------------

/** A workload's selector: required, non-empty, with valid labels. */
export function labelSelectorErrors(path: string, selector: LabelSelector | undefined): StatusCause[] {
  if (!selector || (!Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length)) {
    return [fieldError.required(path)];
  }
  return labelErrors(`${path}.matchLabels`, selector.matchLabels);
}

/**
 * meta/v1 ValidateLabelSelector, for a selector that may be missing or empty (a PodDisruptionBudget's): its
 * labels, and each expression's operator, key and values.
 */
export function labelSelectorSyntaxErrors(path: string, selector: LabelSelector | undefined): StatusCause[] {
  if (!selector) return [];
  const errors = labelErrors(`${path}.matchLabels`, selector.matchLabels);
  (selector.matchExpressions ?? []).forEach((e, i) => {
    const f = `${path}.matchExpressions[${i}]`;
    const values = e.values ?? [];
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (!values.length) errors.push(fieldError.required(`${f}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') {
      if (values.length)
        errors.push(fieldError.forbidden(`${f}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errors.push(fieldError.invalid(`${f}.operator`, e.operator, 'not a valid selector operator'));
    }
    append(errors, qualifiedNameErrors(`${f}.key`, e.key ?? ''));
    values.forEach((v, j) => {
      append(errors, invalidEach(`${f}.values[${j}]`, v, labelValueMessages(v)));
    });
  });
  return errors;
}

const PERCENT_MESSAGE =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** apps' ValidatePositiveIntOrPercent and IsNotMoreThan100Percent. */
export function intOrPercentErrors(field: string, v: IntOrString): StatusCause[] {
  if (typeof v === 'number') return v < 0 ? [fieldError.invalid(field, v, 'must be greater than or equal to 0')] : [];
  const m = /^(\d+)%$/.exec(v);
  if (!m) return [fieldError.invalid(field, v, PERCENT_MESSAGE)];
  return Number(m[1]) > 100 ? [fieldError.invalid(field, v, 'must not be greater than 100%')] : [];
}

/** Labels as Go prints a map[string]string, which is how Kubernetes shows template labels in messages. */
export function goMap(labels: Record<string, string> | undefined): string {
  return `map[string]string{${Object.entries(labels ?? {})
    .sort()
    .map(([k, v]) => `"${k}":"${v}"`)
    .join(', ')}}`;
}

/** ValidateNonnegativeField: an optional count or duration that may not be negative. */
export function nonNegativeErrors(field: string, value: number | undefined | null): StatusCause[] {
  return typeof value === 'number' && value < 0 ? [fieldError.invalid(field, value, 'must be greater than or equal to 0')] : [];
}
