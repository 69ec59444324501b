// A minimal HTTP helper for integration tests: raw requests, so the tests see exactly what kubectl would.
export interface ApiResponse<T = any> {
  code: number;
  body: T;
  contentType: string;
}

export async function api<T = any>(base: string, method: string, path: string, body?: unknown, contentType = 'application/json', accept = 'application/json'): Promise<ApiResponse<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': contentType, Accept: accept },
    body: body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { code: res.status, body: parsed as T, contentType: res.headers.get('content-type') ?? '' };
}

/** Reads a watch stream until `count` events arrived or the timeout passed. */
export async function watchEvents(url: string, count: number, timeoutMs = 10_000): Promise<any[]> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const events: any[] = [];
  try {
    const res = await fetch(url, { signal: abort.signal });
    const reader = res.body!.getReader();
    let buf = '';
    while (events.length < count) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += Buffer.from(value).toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return events;
}

export const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'test' } },
  spec: { containers: [{ name: 'main', image: 'busybox' }] },
  ...extra,
});
