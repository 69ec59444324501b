// The simple JSONPaths of additionalPrinterColumns and scale subresources, evaluated as client-go's jsonpath
// does for them: `.spec.replicas`, `.status.conditions[0].type`, `.items[*].name`,
// `.status.conditions[?(@.type=="Ready")].status`, and keys with escaped dots (`.metadata.labels.app\.kubernetes\.io/name`).

type Step = { field: string } | { index: number } | { all: true } | { filter: { path: Step[]; value: string } };

function parsePath(text: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const path = text
    .trim()
    .replace(/^\{(.*)\}$/, '$1')
    .replace(/^\$/, '');
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      i++;
      let field = '';
      while (i < path.length && path[i] !== '.' && path[i] !== '[') {
        if (path[i] === '\\' && i + 1 < path.length) i++;
        field += path[i++];
      }
      if (field) steps.push({ field });
    } else if (c === '[') {
      const end = path.indexOf(']', i);
      if (end < 0) throw new Error(`unclosed [ in ${text}`);
      const inner = path.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ field: inner.slice(1, -1) });
      else {
        const m = /^\?\(@((?:\.[\w-]+)+)\s*==\s*(?:"([^"]*)"|'([^']*)'|(\S+))\)$/.exec(inner);
        if (!m) throw new Error(`unsupported JSONPath ${text}`);
        steps.push({ filter: { path: parsePath(m[1]), value: m[2] ?? m[3] ?? m[4] } });
      }
    } else {
      throw new Error(`unsupported JSONPath ${text}`);
    }
  }
  return steps;
}

function evaluate(steps: Step[], values: unknown[]): unknown[] {
  let current = values;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || v === undefined) continue;
      if ('field' in step) {
        if (typeof v === 'object' && !Array.isArray(v) && step.field in (v as object))
          next.push((v as Record<string, unknown>)[step.field]);
      } else if ('index' in step) {
        if (Array.isArray(v)) {
          const item = v[step.index < 0 ? v.length + step.index : step.index];
          if (item !== undefined) next.push(item);
        }
      } else if ('all' in step) {
        if (Array.isArray(v)) next.push(...v);
        else if (typeof v === 'object') next.push(...Object.values(v as object));
      } else if (Array.isArray(v)) {
        const { path, value } = step.filter;
        next.push(...v.filter((item) => evaluate(path, [item]).some((x) => String(x) === value)));
      }
    }
    current = next;
  }
  return current;
}

export class JSONPath {
  private readonly steps: Step[];

  constructor(readonly text: string) {
    this.steps = parsePath(text);
  }

  /** The values the path finds in `obj` (none when a field is missing). */
  find(obj: unknown): unknown[] {
    return evaluate(this.steps, [obj]).filter((v) => v !== undefined);
  }

  /** Sets the value at a path of fields only (`.spec.replicas`), creating the objects on the way. */
  set(obj: Record<string, unknown>, value: unknown): void {
    let cur = obj;
    this.steps.forEach((step, i) => {
      if (!('field' in step)) throw new Error(`cannot set ${this.text}`);
      if (i === this.steps.length - 1) cur[step.field] = value;
      else {
        const child = cur[step.field];
        if (child === null || typeof child !== 'object' || Array.isArray(child)) cur[step.field] = {};
        cur = cur[step.field] as Record<string, unknown>;
      }
    });
  }
}

/** Whether `text` parses as a JSONPath this server evaluates. */
export function jsonPathError(text: string): string | undefined {
  try {
    new JSONPath(text);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
