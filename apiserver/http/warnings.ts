// Warnings to the client: HTTP `Warning: 299 - "<text>"` headers, which kubectl prints as `Warning: <text>`
// (unknown fields under fieldValidation=Warn). Each text once per response. Texts come from the request
// (field names), so they are written in printable ASCII only, each cut at MAX_WARNING_CHARS, and warnings
// stop at MAX_WARNING_BYTES in all: a client's header limit (16 KiB in Node) is never reached.
import type { Response } from 'express';

const MAX_WARNING_CHARS = 256;
const MAX_WARNING_BYTES = 4096;

/** The quoted header form of a text: `"unknown field \"x\""`, anything but printable ASCII as \uXXXX. */
function quote(text: string): string {
  const cut = text.length > MAX_WARNING_CHARS ? `${text.slice(0, MAX_WARNING_CHARS)}...` : text;
  return JSON.stringify(cut).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function addWarning(res: Response, text: string): void {
  const state: { sent: Set<string>; bytes: number } = (res.locals.warnings ??= { sent: new Set<string>(), bytes: 0 });
  const value = `299 - ${quote(text)}`;
  if (state.sent.has(value) || res.headersSent || state.bytes + value.length > MAX_WARNING_BYTES) return;
  state.sent.add(value);
  state.bytes += value.length;
  res.append('Warning', value);
}
