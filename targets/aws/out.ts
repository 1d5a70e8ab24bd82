// Text written piece by piece (the program, the state machines' JSON): a value printed over
// several lines goes into one list rather than being joined at every level of its nesting, which
// copied a deep value's text once per level. Pieces are joined a few thousand at a time, so they
// die young: one list of millions of short strings, joined at the end, cost more than the
// printing itself (the garbage collector copied every piece while the list grew). The list of
// pieces is one array, refilled after each join: a new one per batch grew (and was copied) from
// empty to a few thousand slots every time, as many bytes again as the program's text.
const BATCH = 4096;

export class Out {
  private readonly pieces: string[] = [];
  /** How many of `pieces` are this batch's (the rest are an earlier batch's, not yet overwritten). */
  private n = 0;
  private readonly chunks: string[] = [];

  put(s: string): void {
    this.pieces[this.n++] = s;
    if (this.n === BATCH) this.flush();
  }

  line(s: string): void {
    this.put(s);
    this.put("\n");
  }

  /** Moves the text of `other` to the end of this one. */
  append(other: Out): void {
    this.flush();
    other.flush();
    this.chunks.push(...other.chunks.splice(0));
  }

  text(): string {
    this.flush();
    return this.chunks.join("");
  }

  private flush(): void {
    // A partial batch (text() or append()) drops the earlier batch's pieces after it.
    if (this.n < this.pieces.length) this.pieces.length = this.n;
    this.chunks.push(this.pieces.join(""));
    this.n = 0;
  }
}
