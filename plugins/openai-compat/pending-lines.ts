// Where the saved lines not yet on disk sit in the line arena, by position.
// Positions are saved and written in order, so the unwritten ones are a range,
// kept in a ring: nothing allocated per save. A Map entry per save cost the
// stored bench row ~18 µs and ~0.3 page faults per response (bench/README.md, sixth pass).

export class PendingLines {
  /** The oldest position that may be unwritten. */
  private from = 0
  /** One past the newest position added. */
  private to = 0
  private mask: number
  private ats: Int32Array
  private chunks: Array<Buffer | undefined>

  constructor (capacity = 256) {
    this.mask = capacity - 1
    this.ats = new Int32Array(capacity)
    this.chunks = new Array<Buffer | undefined>(capacity).fill(undefined)
  }

  /** The line of `pos` (the newest position yet) starts at `at` in `chunk`. */
  add (pos: number, chunk: Buffer, at: number): void {
    if (this.from === this.to) this.from = pos
    else if (pos !== this.to) throw new RangeError(`pending line ${pos} is not the next one (${this.to})`)
    if (pos - this.from > this.mask) this.grow()
    const slot = pos & this.mask
    this.ats[slot] = at
    this.chunks[slot] = chunk
    this.to = pos + 1
  }

  /** Where the line of `pos` is, while it is not yet written. */
  find (pos: number): { chunk: Buffer, at: number } | undefined {
    if (pos < this.from || pos >= this.to) return undefined
    const slot = pos & this.mask
    return { chunk: this.chunks[slot]!, at: this.ats[slot]! }
  }

  /** Every line before `upTo` is written (or failed to be): its chunk may be reused. */
  written (upTo: number): void {
    const end = Math.min(upTo, this.to)
    for (let pos = this.from; pos < end; pos++) this.chunks[pos & this.mask] = undefined
    if (end > this.from) this.from = end
  }

  get size (): number { return this.to - this.from }

  private grow (): void {
    const capacity = (this.mask + 1) * 2
    const ats = new Int32Array(capacity)
    const chunks = new Array<Buffer | undefined>(capacity).fill(undefined)
    for (let pos = this.from; pos < this.to; pos++) {
      ats[pos & (capacity - 1)] = this.ats[pos & this.mask]!
      chunks[pos & (capacity - 1)] = this.chunks[pos & this.mask]
    }
    this.mask = capacity - 1
    this.ats = ats
    this.chunks = chunks
  }
}
