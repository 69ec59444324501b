// Command-line flags in Kubernetes' style: `--name=value`, `--name value`, `--flag` (true), and
// durations such as `20s`, `5m`, `1h30m`. Unknown flags are an error, so typos do not pass silently.

export interface FlagSpec {
  /** The default, as a string; undefined makes the flag optional with no value. */
  default?: string;
  help: string;
  boolean?: boolean;
  /** The process cannot run without it: parseFlags refuses to return when it is unset. */
  required?: true;
  /** May be given more than once (a pflag StringSlice): the values are joined with commas, replacing the default. */
  repeatable?: true;
}

/** A flag with a default always has a value; one without may be unset. */
export type FlagValues<T extends Record<string, FlagSpec>> = {
  [K in keyof T]: T[K] extends { default: string } | { required: true } ? string : string | undefined;
};

export function parseFlags<T extends Record<string, FlagSpec>>(specs: T, argv: string[] = process.argv.slice(2)): FlagValues<T> {
  const values: Record<string, string | undefined> = {};
  const given = new Set<string>();
  for (const [name, spec] of Object.entries(specs)) values[name] = spec.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${usage(specs)}\n`);
      process.exit(0);
    }
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !(m[1] in specs)) throw new Error(`unknown flag: ${arg}\n${usage(specs)}`);
    const spec = specs[m[1]];
    let value: string;
    if (m[2] !== undefined) value = m[2];
    else if (spec.boolean) value = 'true';
    else if (i + 1 < argv.length) value = argv[++i];
    else throw new Error(`flag needs an argument: ${arg}`);
    values[m[1]] = spec.repeatable && given.has(m[1]) ? `${values[m[1]]},${value}` : value;
    given.add(m[1]);
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && !values[name]) throw new Error(`--${name} is required: ${spec.help}\n${usage(specs)}`);
  }
  return values as FlagValues<T>;
}

export function usage(specs: Record<string, FlagSpec>): string {
  return Object.entries(specs)
    .map(
      ([name, s]) =>
        `  --${name}${s.boolean ? '' : '=<value>'}\t${s.help}${s.default !== undefined ? ` (default ${JSON.stringify(s.default)})` : ''}`,
    )
    .join('\n');
}

/** `1h30m`, `20s`, `500ms` → milliseconds. A bare number is seconds. */
export function parseDuration(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text;
  while (rest.length) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!m) throw new Error(`invalid duration: ${text}`);
    total += Number(m[1]) * units[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

export const parseBool = (v: string | undefined): boolean => v === 'true' || v === '1';
