// What the real kubectl sent in the sessions capture.ts recorded, for the streaming unit tests.
import fs from 'node:fs';
import path from 'node:path';

export interface CapturedSession {
  request: { method: string; path: string; headers: Record<string, string | string[] | undefined> };
  /** What the client sent after its request, base64: socket reads (SPDY) or messages (WebSocket). */
  client: string[];
}

export interface Fixture {
  command: string;
  env: Record<string, string>;
  input?: string;
  /** Every upgrade request of the command, in order (a WebSocket refused, then SPDY, ...). */
  sessions: CapturedSession[];
  /** What kubectl made of the answers. */
  kubectl: { code: number; stdout: string; stderr: string; echoed?: string };
}

export function fixture(name: string): Fixture {
  return JSON.parse(fs.readFileSync(path.join(__dirname, `${name}.json`), 'utf8')) as Fixture;
}

/** The bytes a session's client sent, joined. */
export const clientBytes = (session: CapturedSession) => Buffer.concat(session.client.map((c) => Buffer.from(c, 'base64')));
