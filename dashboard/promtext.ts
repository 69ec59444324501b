// Reads Prometheus' text exposition format (what every component's /metrics serves): one sample per
// line, `name{label="value",...} number`, comments and blank lines skipped.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const UNESCAPE: Record<string, string> = { '\\\\': '\\', '\\"': '"', '\\n': '\n' };

/** The samples of the metrics named in `names` (all of them when `names` is empty). */
export function parseSamples(text: string, names: ReadonlySet<string> = new Set()): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    const nameEnd = brace >= 0 && (space < 0 || brace < space) ? brace : space;
    if (nameEnd <= 0) continue;
    const name = line.slice(0, nameEnd);
    if (names.size && !names.has(name)) continue;
    const labels: Record<string, string> = {};
    let rest = line.slice(nameEnd);
    if (rest.startsWith('{')) {
      const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/y;
      let i = 1;
      for (;;) {
        re.lastIndex = i;
        const m = re.exec(rest);
        if (!m) break;
        labels[m[1]] = m[2].replace(/\\[\\"n]/g, (e) => UNESCAPE[e]);
        i = re.lastIndex;
      }
      const close = rest.indexOf('}', i);
      if (close < 0) continue;
      rest = rest.slice(close + 1);
    }
    const value = Number(rest.trim().split(/\s+/)[0]);
    if (!Number.isNaN(value)) samples.push({ name, labels, value });
  }
  return samples;
}
