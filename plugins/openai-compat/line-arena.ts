// Encodes log lines into large off-heap chunks as they are saved. A queued
// line then costs the garbage collector nothing of its own rather than a
// kilobyte string that lives long enough to be promoted to the old
// generation (what the stored-responses bench measured: twice the scavenge
// time, and a heap that grew by 80 MB under load). Lines put one after the
// other sit side by side in a chunk, so a batch of them is one buffer to
// write, not a view per line.
//
// Written chunks are reused. A new 64 KB chunk every ~45 responses was
// external memory that V8 counts towards its next full collection: a
// stored-response load ran ~5 times as many mark-compacts as the same load
// unstored (bench/README.md, fifth pass).

const CHUNK_BYTES = 64 * 1024
/** Enough for the chunk being filled and the writes in flight. */
const SPARE_CHUNKS = 4

export class LineArena {
  /** The chunk the last line went to; a new one is started when a line does not fit, and a chunk is never written over while held. */
  chunk: Buffer = Buffer.allocUnsafe(0)
  /** Where the last line ended in `chunk`. */
  at = 0
  private readonly spare: Buffer[] = []
  /** Chunks whose bytes someone still reads (a queued write), with how many holds each. */
  private readonly holds = new Map<Buffer, number>()

  /**
   * Encodes `a`, `b` (each where the last ended: joining them first would
   * copy the line once more), the byte `last` when given (a string write for
   * one byte costs a call into C++) and a newline. Returns where the line
   * starts in `chunk`; it ends at `at`. A caller that keeps using the bytes
   * after this call returns holds the chunk until it is done with them.
   */
  put (a: string, b = '', last = -1): number {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    const room = (a.length + b.length) * 3 + 2
    if (this.chunk.length - this.at < room) this.next(room)
    const chunk = this.chunk
    const start = this.at
    let at = start + chunk.write(a, start)
    if (b !== '') at += chunk.write(b, at)
    if (last >= 0) chunk[at++] = last
    chunk[at] = 0x0a
    this.at = at + 1
    return start
  }

  hold (chunk: Buffer): void {
    this.holds.set(chunk, (this.holds.get(chunk) ?? 0) + 1)
  }

  release (chunk: Buffer): void {
    const n = this.holds.get(chunk)! - 1
    if (n > 0) {
      this.holds.set(chunk, n)
      return
    }
    this.holds.delete(chunk)
    if (chunk !== this.chunk) this.recycle(chunk)
  }

  private next (room: number): void {
    if (!this.holds.has(this.chunk)) this.recycle(this.chunk)
    this.chunk = room <= CHUNK_BYTES && this.spare.length > 0 ? this.spare.pop()! : Buffer.allocUnsafe(Math.max(CHUNK_BYTES, room))
    this.at = 0
  }

  private recycle (chunk: Buffer): void {
    if (chunk.length === CHUNK_BYTES && this.spare.length < SPARE_CHUNKS) this.spare.push(chunk)
  }
}
