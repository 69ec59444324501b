// Resource quantities: `100m`, `0.5`, `128Mi`, `1G`, `2`, `1e3`. Values are in base units (cores,
// bytes); CPU is usually handled in millicores.
//
// Parsing follows apimachinery's resource.ParseQuantity: one left-to-right scan (sign, digits, an
// optional fraction, suffix letters, an optional signed exponent), so its cost is linear in the
// text whatever the text is. A regular expression with nested quantifiers took minutes on a long
// run of digits followed by a stray letter; this scanner never looks at a character twice.

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** The letters a suffix may be made of (a superset: `interpret` decides which words are suffixes). */
const SUFFIX_LETTERS = 'eEinumkKMGTP';
/** Kubernetes keeps a decimal exponent in an int32 and refuses what does not fit. */
const MAX_EXPONENT = 2 ** 31 - 1;
/** BinarySI amounts are capped at the largest int64, as Kubernetes caps them. */
const MAX_BINARY = 2 ** 63 - 1;

/** The errors of resource.ParseQuantity, in Kubernetes' words. */
export const ErrFormatWrong = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const ErrNumeric = 'unable to parse numeric part of quantity';
export const ErrSuffix = "unable to parse quantity's suffix";

const isDigit = (c: number) => c >= 48 && c <= 57;

interface Scanned {
  negative: boolean;
  /** The integer digits without leading zeros, `0` when there are none. */
  num: string;
  /** The fraction's digits, possibly empty. */
  denom: string;
  suffix: string;
  /** Whether the number part has a digit at all (`.` and `-` are numbers to Kubernetes, but not to its decimal parser). */
  digits: boolean;
}

/** The scan of parseQuantityString: `[+-]?` digits `[.digits]` suffix-letters* `[+-]?` digits*, and nothing else. */
function scan(text: string): Scanned {
  const end = text.length;
  let pos = 0;
  const negative = text[0] === '-';
  if (negative || text[0] === '+') pos++;
  const first = pos;
  while (pos < end && text[pos] === '0') pos++;
  const numStart = pos;
  while (pos < end && isDigit(text.charCodeAt(pos))) pos++;
  const num = text.slice(numStart, pos) || '0';
  let digits = pos > first;
  let denom = '';
  if (text[pos] === '.') {
    const denomStart = ++pos;
    while (pos < end && isDigit(text.charCodeAt(pos))) pos++;
    denom = text.slice(denomStart, pos);
    digits ||= denom !== '';
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_LETTERS.includes(text[pos])) pos++;
  if (text[pos] === '-' || text[pos] === '+') pos++;
  while (pos < end && isDigit(text.charCodeAt(pos))) pos++;
  if (pos < end) throw new Error(ErrFormatWrong);
  return { negative, num, denom, suffix: text.slice(suffixStart), digits };
}

/** The suffixer's interpret: a decimal SI or binary SI suffix, or `e`/`E` and an int32 exponent. */
function interpret(suffix: string): { base: 2 | 10; exponent: number } | undefined {
  if (suffix in DECIMAL) return { base: 10, exponent: DECIMAL[suffix] };
  if (suffix in BINARY) return { base: 2, exponent: BINARY[suffix] };
  if (suffix.length < 2 || (suffix[0] !== 'e' && suffix[0] !== 'E')) return undefined;
  const exponent = suffix.slice(1);
  const sign = exponent[0] === '-' || exponent[0] === '+' ? 1 : 0;
  const magnitude = exponent.slice(sign).replace(/^0+(?=\d)/, '');
  if (!/^\d{1,10}$/.test(magnitude) || Number(magnitude) > MAX_EXPONENT) return undefined;
  return { base: 10, exponent: exponent[0] === '-' ? -Number(magnitude) : Number(magnitude) };
}

/**
 * The value of a quantity in base units, as a double (what the scheduler and the kubelet compute with).
 * Accepts and refuses exactly what Kubernetes does; throws an Error worded as Kubernetes' on a malformed
 * quantity. Leading and trailing blanks are ignored, as Quantity's JSON decoding ignores them.
 */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const text = q.trim();
  if (text === '') throw new Error(ErrFormatWrong);
  const { negative, num, denom, suffix, digits } = scan(text);
  const unit = interpret(suffix);
  if (!unit) throw new Error(ErrSuffix);
  // Kubernetes computes short numbers in an int64 and hands the others to a decimal parser that wants at
  // least one digit: `Mi` is zero, `Ei` is not a number.
  const int64Path =
    unit.base === 10
      ? num.length + denom.length <= 18 && unit.exponent - denom.length >= -9
      : denom === '' && 15 - num.length - Math.trunc((unit.exponent * 3) / 10) - 1 >= 0;
  if (!int64Path && !digits) throw new Error(ErrNumeric);
  const mantissa = `${num}.${denom || '0'}`;
  let value = unit.base === 10 ? Number(`${mantissa}e${unit.exponent}`) : Math.min(Number(mantissa) * 2 ** unit.exponent, MAX_BINARY);
  // Kubernetes rounds a non-zero amount up to its smallest unit, one nano.
  if (value !== 0 && value < 1e-9) value = 1e-9;
  return negative ? -value : value;
}

/** The error Kubernetes gives for `q`, or undefined when it is a quantity. */
export function quantityError(q: string | number): string | undefined {
  try {
    parseQuantity(q);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The value in thousandths, rounded up: CPU millicores. */
export function milliValue(q: string | number): number {
  return Math.ceil(Math.round(parseQuantity(q) * 1e6) / 1e3);
}

export function formatMilliCPU(m: number): string {
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** Bytes with the largest binary suffix that divides them: 134217728 → `128Mi`. */
export function formatBytes(b: number): string {
  for (const suffix of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
    const unit = 2 ** BINARY[suffix];
    if (b >= unit && b % unit === 0) return `${b / unit}${suffix}`;
  }
  return String(b);
}
