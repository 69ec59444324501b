// Kubernetes' rules for names, label keys and label values (apimachinery's util/validation): each
// function returns the messages Kubernetes gives, none when the value is valid. A too-long value that
// is also malformed gets both messages, as in Kubernetes.
//
// The regular expressions are linear in V8: every quantifier is followed by a character it cannot
// match or by the end, so a failed match backtracks at most once per character; a 3 MiB value is
// checked in tens of milliseconds.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Kubernetes' RegexError: the message, examples and the regular expression as users read it. */
function regexError(message: string, format: string, ...examples: string[]): string {
  const shown = examples.map((e) => `'${e}', `).join(' or ');
  return `${message} (e.g. ${shown}regex used for validation is '${format}')`;
}

const maxLenError = (n: number) => `must be no more than ${n} characters`;

const DNS1123_LABEL_ERROR = regexError(
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
  '[a-z0-9]([-a-z0-9]*[a-z0-9])?',
  'my-name',
  '123-abc',
);
const DNS1123_SUBDOMAIN_ERROR = regexError(
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
  '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*',
  'example.com',
);
const DNS1035_LABEL_ERROR = regexError(
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
  '[a-z]([-a-z0-9]*[a-z0-9])?',
  'my-name',
  'abc-123',
);
const QUALIFIED_NAME_ERROR = regexError(
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
  '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]',
  'MyName',
  'my.name',
  '123-abc',
);
const LABEL_VALUE_ERROR = regexError(
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
  '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?',
  'MyValue',
  'my_value',
  '12345',
);

/** The messages for a value checked against a length limit and an expression. */
function check(value: string, maxLength: number, expression: RegExp, error: string): string[] {
  const messages: string[] = [];
  if (value.length > maxLength) messages.push(maxLenError(maxLength));
  if (!expression.test(value)) messages.push(error);
  return messages;
}

export const dns1123LabelMessages = (value: string) => check(value, 63, DNS1123_LABEL, DNS1123_LABEL_ERROR);
export const dns1123SubdomainMessages = (value: string) => check(value, 253, DNS1123_SUBDOMAIN, DNS1123_SUBDOMAIN_ERROR);
export const dns1035LabelMessages = (value: string) => check(value, 63, DNS1035_LABEL, DNS1035_LABEL_ERROR);
export const labelValueMessages = (value: string) => check(value, 63, LABEL_VALUE, LABEL_VALUE_ERROR);

/** IsQualifiedName: `[prefix/]name`, the prefix a DNS subdomain, the name at most 63 characters. Label keys follow it. */
export function qualifiedNameMessages(value: string): string[] {
  const parts = value.split('/', 3);
  if (parts.length > 2)
    return [`a qualified name ${QUALIFIED_NAME_ERROR} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  const messages: string[] = [];
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix === '') messages.push('prefix part must be non-empty');
    else messages.push(...dns1123SubdomainMessages(prefix).map((m) => `prefix part ${m}`));
  }
  if (name === '') messages.push('name part must be non-empty');
  else if (name.length > 63) messages.push(`name part ${maxLenError(63)}`);
  if (!QUALIFIED_NAME.test(name)) messages.push(`name part ${QUALIFIED_NAME_ERROR}`);
  return messages;
}
