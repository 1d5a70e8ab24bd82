// Text written piece by piece (the program, the state machines' JSON): a value printed over
// several lines goes into one list rather than being joined at every level of its nesting, which
// copied a deep value's text once per level. Pieces are joined a few thousand at a time, so they
// die young: one list of millions of short strings, joined at the end, cost more than the
// printing itself (the garbage collector copied every piece while the list grew).
export class Out {
  private pieces: string[] = [];
  private readonly chunks: string[] = [];

  put(s: string): void {
    this.pieces.push(s);
    if (this.pieces.length >= 4096) this.flush();
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
    this.chunks.push(this.pieces.join(""));
    this.pieces = [];
  }
}
