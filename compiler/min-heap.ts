// A binary min-heap of items by a number: dependency orders (Kahn's algorithm) pop the ready
// item that comes first, the IR graph's nodes by IR position and the Slurm plan's jobs by plan
// position. Keys sit beside the items, so a comparison reads two numbers and calls nothing.
export class MinHeap<T> {
  private readonly items: T[] = [];
  private readonly keys: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: T, key: number): void {
    const { items, keys } = this;
    items.push(item);
    keys.push(key);
    for (let i = items.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (keys[i]! >= keys[p]!) break;
      this.swap(i, p);
      i = p;
    }
  }

  /** The item with the smallest key, or undefined when the heap is empty. */
  pop(): T | undefined {
    const { items, keys } = this;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    const lastKey = keys.pop()!;
    if (items.length > 0) {
      items[0] = last;
      keys[0] = lastKey;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && keys[l]! < keys[m]!) m = l;
        if (r < items.length && keys[r]! < keys[m]!) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }

  private swap(i: number, j: number): void {
    const { items, keys } = this;
    const x = items[i]!;
    items[i] = items[j]!;
    items[j] = x;
    const k = keys[i]!;
    keys[i] = keys[j]!;
    keys[j] = k;
  }
}
