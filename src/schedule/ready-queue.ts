/**
 * A binary max-heap of node indices: highest priority first, lower index (earlier in graph
 * order) on ties, so equal-priority work starts in a stable, reproducible order.
 */
export class ReadyQueue {
  private readonly heap: number[] = [];

  constructor(private readonly priority: ArrayLike<number>) {}

  get size(): number {
    return this.heap.length;
  }

  push(i: number): void {
    const h = this.heap;
    h.push(i);
    let at = h.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.before(h[at] as number, h[parent] as number)) break;
      [h[at], h[parent]] = [h[parent] as number, h[at] as number];
      at = parent;
    }
  }

  pop(): number | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0] as number;
    const last = h.pop() as number;
    if (h.length > 0) {
      h[0] = last;
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        const right = left + 1;
        let best = at;
        if (left < h.length && this.before(h[left] as number, h[best] as number)) best = left;
        if (right < h.length && this.before(h[right] as number, h[best] as number)) best = right;
        if (best === at) break;
        [h[at], h[best]] = [h[best] as number, h[at] as number];
        at = best;
      }
    }
    return top;
  }

  /** Empties the queue, returning what it held (in no particular order). */
  drain(): number[] {
    return this.heap.splice(0);
  }

  private before(a: number, b: number): boolean {
    const pa = this.priority[a] as number;
    const pb = this.priority[b] as number;
    return pa !== pb ? pa > pb : a < b;
  }
}
