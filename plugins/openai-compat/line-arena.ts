// Encodes log lines into large off-heap chunks as they are saved. A queued
// line then costs the garbage collector nothing of its own rather than a
// kilobyte string that lives long enough to be promoted to the old
// generation (what the stored-responses bench measured: twice the scavenge
// time, and a heap that grew by 80 MB under load). Lines put one after the
// other sit side by side in a chunk, so a batch of them is one buffer to
// write, not a view per line.

const CHUNK_BYTES = 64 * 1024

export class LineArena {
  /** The chunk the last line went to; a new one is started when a line does not fit, and a chunk is never written over. */
  chunk = Buffer.allocUnsafe(0)
  /** Where the last line ended in `chunk`. */
  at = 0

  /**
   * Encodes `a`, `b` (each where the last ended: joining them first would
   * copy the line once more), the byte `last` when given (a string write for
   * one byte costs a call into C++) and a newline. Returns where the line
   * starts in `chunk`; it ends at `at`.
   */
  put (a: string, b = '', last = -1): number {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    const room = (a.length + b.length) * 3 + 2
    if (this.chunk.length - this.at < room) {
      this.chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, room))
      this.at = 0
    }
    const chunk = this.chunk
    const start = this.at
    let at = start + chunk.write(a, start)
    if (b !== '') at += chunk.write(b, at)
    if (last >= 0) chunk[at++] = last
    chunk[at] = 0x0a
    this.at = at + 1
    return start
  }
}
