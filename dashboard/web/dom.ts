// A small DOM helper: elements from a tag, properties and children. Text is always set as text (never
// parsed as HTML), so names and messages from the cluster cannot inject markup.
type Child = Node | string | number | null | undefined | false;
type Props = Record<string, unknown> | null | undefined;

function apply(el: Element, props: Props): void {
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'class') el.setAttribute('class', String(v));
    // Through the CSSOM: the page's Content-Security-Policy allows no inline style attributes.
    else if (k === 'style') (el as HTMLElement).style.cssText = String(v);
    else if (k === 'dataset') for (const [dk, dv] of Object.entries(v as Record<string, string>)) (el as HTMLElement).dataset[dk] = dv;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'object' ? c : String(c));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
export function s<K extends keyof SVGElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  apply(el, props);
  append(el, children);
  return el;
}

/** "3s", "4m", "2h", "5d" since an RFC 3339 time, as kubectl's AGE column. */
export function age(time: string | undefined, now = Date.now()): string {
  const t = Date.parse(time ?? '');
  if (!Number.isFinite(t)) return '';
  const sec = Math.max(0, Math.floor((now - t) / 1000));
  if (sec < 120) return `${sec}s`;
  if (sec < 7200) return `${Math.floor(sec / 60)}m`;
  if (sec < 172800) return `${Math.floor(sec / 3600)}h`;
  return `${Math.floor(sec / 86400)}d`;
}

export function formatCPU(milli: number): string {
  return milli % 1000 === 0 ? `${milli / 1000}` : `${milli}m`;
}

export function formatBytes(b: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) {
    b /= 1024;
    i++;
  }
  return `${i === 0 ? b : b.toFixed(b >= 10 ? 0 : 1)} ${units[i]}`;
}
