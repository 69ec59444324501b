// The requests kubectl 1.31, 1.32 and 1.33 send for the same commands (written by capture.ts), for the
// decoder's unit tests and the apiserver's integration tests.
import fs from 'node:fs';
import path from 'node:path';

export interface CapturedRequest {
  method: string;
  /** Path and query. */
  path: string;
  /** The JSON object, or the lines of a protobuf body's hex dump. */
  body: unknown;
}

export interface Fixture {
  name: string;
  command: string;
  requests: Record<'1.31' | '1.32' | '1.33', CapturedRequest[]>;
}

export const fixtures: Fixture[] = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({
    name: f.replace(/\.json$/, ''),
    ...(JSON.parse(fs.readFileSync(path.join(__dirname, f), 'utf8')) as Omit<Fixture, 'name'>),
  }));

export function fixture(name: string): Fixture {
  const f = fixtures.find((x) => x.name === name);
  if (!f) throw new Error(`no fixture ${name}`);
  return f;
}

/** `00000000  6b 38 73 00 0a 0f ...  |k8s.....|` lines back into bytes. */
export function fromHexDump(lines: string[]): Buffer {
  return Buffer.from(lines.map((l) => l.slice(10).split('|')[0].replace(/\s+/g, '')).join(''), 'hex');
}

export function isProtobuf(r: CapturedRequest): r is CapturedRequest & { body: string[] } {
  return Array.isArray(r.body);
}
