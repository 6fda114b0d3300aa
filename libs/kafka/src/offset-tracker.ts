/**
 * The offsets of one partition's messages that were accepted and are not finished yet, in the order they
 * were accepted (offset order). `commitPoint` is the offset to commit: the lowest one not finished, or one
 * past the last accepted when all are, so a crash redelivers every unfinished message and no finished one
 * before it. Finishing is O(1); the commit point advances past finished messages at the front.
 */
export class OffsetTracker {
  private offsets: number[] = [];
  private done: boolean[] = [];
  private head = 0;
  private unfinished = 0;
  private last = -1;

  /** Registers a fetched message. Offsets must increase; one at or below the last accepted is refused (false). */
  accept(offset: number): boolean {
    if (offset <= this.last) return false;
    this.last = offset;
    this.offsets.push(offset);
    this.done.push(false);
    this.unfinished += 1;
    return true;
  }

  finish(offset: number): void {
    // Binary search among the live entries: finishing is usually near the front, but not always.
    let lo = this.head;
    let hi = this.offsets.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.offsets[mid]!;
      if (at === offset) {
        if (!this.done[mid]) {
          this.done[mid] = true;
          this.unfinished -= 1;
        }
        this.advance();
        return;
      }
      if (at < offset) lo = mid + 1;
      else hi = mid - 1;
    }
  }

  private advance(): void {
    while (this.head < this.offsets.length && this.done[this.head]) this.head += 1;
    // Compact now and then, so memory follows what is in flight, not what was ever accepted.
    if (this.head > 1024 && this.head * 2 > this.offsets.length) {
      this.offsets = this.offsets.slice(this.head);
      this.done = this.done.slice(this.head);
      this.head = 0;
    }
  }

  /** The offset to commit, or undefined when nothing was accepted. */
  get commitPoint(): number | undefined {
    if (this.last < 0) return undefined;
    return this.head < this.offsets.length ? this.offsets[this.head]! : this.last + 1;
  }

  /** Accepted and not finished. */
  get inFlight(): number {
    return this.unfinished;
  }
}
