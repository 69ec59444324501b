// A virtualised list: only the rows in (or near) the viewport exist in the DOM, each absolutely placed at
// its offset; rows already shown are kept (and updated in place by `render`), so their CSS transitions
// run and focus stays put. Heights come from the data (no measuring), so 3000 rows cost what 30 do.
export interface VirtualListOptions<T> {
  key(item: T): string;
  /** The row's height in pixels for a list this wide. */
  height(item: T, width: number): number;
  /** A new row, or `prev` updated (or replaced) for the item's new state. */
  render(item: T, prev: HTMLElement | undefined): HTMLElement;
  /** Whether a row drawn for `a` still shows `b` (default: the same object), so it need not be drawn again. */
  same?(a: T, b: T): boolean;
  /** Pixels drawn beyond the viewport on each side. */
  overscan?: number;
}

export class VirtualList<T> {
  readonly spacer: HTMLElement;
  private items: T[] = [];
  private offsets: number[] = [0];
  private readonly mounted = new Map<string, { el: HTMLElement; item: T; top: number; height: number }>();
  private frame = 0;
  /** The viewport's width, kept by a ResizeObserver (reading clientWidth would force a layout). */
  private width = 0;

  constructor(
    readonly viewport: HTMLElement,
    private readonly o: VirtualListOptions<T>,
  ) {
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    viewport.append(this.spacer);
    viewport.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver((entries) => {
      this.width = entries[entries.length - 1].contentRect.width;
      this.setItems(this.items);
    }).observe(viewport);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Draws every visible row again on the next draw (what they show depends on more than the item). */
  invalidate(): void {
    for (const m of this.mounted.values()) m.height = -1;
  }

  setItems(items: T[]): void {
    this.items = items;
    const width = this.width || (this.width = this.viewport.clientWidth);
    this.offsets = new Array(items.length + 1);
    this.offsets[0] = 0;
    for (let i = 0; i < items.length; i++) this.offsets[i + 1] = this.offsets[i] + this.o.height(items[i], width);
    this.spacer.style.height = `${this.offsets[items.length]}px`;
    this.draw();
  }

  /** The first index whose row ends below `y`. */
  private indexAt(y: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid + 1] <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Scrolls so that the item with this key is in view. */
  reveal(key: string): void {
    const i = this.items.findIndex((item) => this.o.key(item) === key);
    if (i >= 0) this.viewport.scrollTop = Math.max(0, this.offsets[i] - 40);
  }

  private draw(): void {
    const active = document.activeElement as HTMLElement | null;
    const focusKey = this.spacer.contains(active) ? active?.dataset.focusKey : undefined;
    const overscan = this.o.overscan ?? 400;
    // The spacer is the viewport's first child: its offset is 0.
    const top = this.viewport.scrollTop;
    const first = this.indexAt(Math.max(0, top - overscan));
    const last = this.indexAt(top + this.viewport.clientHeight + overscan);
    const wanted = new Set<string>();
    for (let i = first; i <= last && i < this.items.length; i++) {
      const item = this.items[i];
      const key = this.o.key(item);
      wanted.add(key);
      const mounted = this.mounted.get(key);
      const rowTop = this.offsets[i];
      const height = this.offsets[i + 1] - rowTop;
      const same = this.o.same ?? ((x: T, y: T) => x === y);
      if (mounted && mounted.height === height && same(mounted.item, item)) {
        if (mounted.top !== rowTop) mounted.el.style.top = `${rowTop}px`;
        mounted.top = rowTop;
        mounted.item = item;
        continue;
      }
      const prev = mounted?.el;
      const el = this.o.render(item, prev);
      el.dataset.rowKey = key;
      el.classList.add('vlist-row');
      el.style.top = `${rowTop}px`;
      el.style.height = `${height}px`;
      if (prev && prev !== el) prev.replaceWith(el);
      else if (!prev) this.spacer.append(el);
      this.mounted.set(key, { el, item, top: rowTop, height });
    }
    for (const [key, m] of this.mounted) {
      if (wanted.has(key)) continue;
      m.el.remove();
      this.mounted.delete(key);
    }
    // A row redrawn while one of its controls had the focus: give it to the same control again.
    if (focusKey && !active?.isConnected) this.spacer.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  }
}
