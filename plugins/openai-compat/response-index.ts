// Where each stored response's line is, kept off the V8 heap. As a JS object
// and an id string in a Map, each of the (by default) 10,000 kept responses
// lived long enough to be promoted to V8's old generation and traced there,
// and with the store full (one eviction per save) a stored streamed response
// cost ~47k instructions more than an unstored one; with this index ~20-28k
// (callgrind, bench/README.md, fifth pass). A response here is a position in
// a ring of typed columns, oldest first, found by its id's 128 bits through
// an open-addressing table.
import { KeyTable } from '../../src/sessions/key-table.js'

const PREFIX = 'resp_'
const ID_LENGTH = PREFIX.length + 32

/** A slot's fields, each in a typed array indexed by slot. */
interface Columns {
  /** The id as four 32-bit words (four per slot). */
  words: Uint32Array
  created: Float64Array
  segments: Int32Array
  offsets: Float64Array
  lengths: Uint32Array
  live: Uint8Array
}

function columns (capacity: number): Columns {
  return {
    words: new Uint32Array(capacity * 4),
    created: new Float64Array(capacity),
    segments: new Int32Array(capacity),
    offsets: new Float64Array(capacity),
    lengths: new Uint32Array(capacity),
    live: new Uint8Array(capacity)
  }
}

/**
 * Positions `head` to `tail` (exclusive) are in the ring, oldest first, live
 * or removed; a position's slot is `pos & mask`. Positions only grow, so one
 * names its response for good: a caller may hold it across an await and ask
 * `find` again to see whether it is still the same response.
 */
export class ResponseIndex {
  head = 0
  tail = 0
  /** Live responses. */
  size = 0
  private mask: number
  private cols: Columns
  private keys: KeyTable
  /** The id being looked up, as words (one buffer, not an array per lookup). */
  private readonly probe = new Uint32Array(4)
  /** The slot being removed, for `isRemoved`. */
  private removing = -1
  private readonly isRemoved = (slot: number): boolean => slot === this.removing
  /** The live slots, for the table when it rebuilds. */
  private readonly allLive = (): Iterable<number> => this.liveSlots()
  private readonly sameId = (slot: number): boolean => {
    const w = this.cols.words
    const p = this.probe
    const at = slot * 4
    return w[at] === p[0] && w[at + 1] === p[1] && w[at + 2] === p[2] && w[at + 3] === p[3]
  }

  constructor (capacity = 1024) {
    this.mask = capacity - 1
    this.cols = columns(capacity)
    this.keys = new KeyTable(capacity)
  }

  /** Whether `id` is one this gateway makes (`resp_` and 32 lowercase hex digits): no other is ever stored or found. */
  static accepts (id: string): boolean {
    return readId(id, new Uint32Array(4))
  }

  /** The live position of `id`, or -1. */
  find (id: string): number {
    if (!readId(id, this.probe)) return -1
    const at = this.keys.find(hashOf(this.probe), this.sameId)
    return at < 0 ? -1 : this.positionOf(this.keys.slotAt(at))
  }

  /** Appends a response under a new id (one of ours: see `accepts`); returns its position. */
  push (id: string, createdAtMs: number, segment: number, offset: number, length: number): number {
    if (!readId(id, this.probe)) throw new TypeError(`not a stored response id: ${id}`)
    this.first()
    if (this.tail - this.head > this.mask) this.grow()
    const pos = this.tail++
    const slot = pos & this.mask
    const c = this.cols
    const p = this.probe
    c.words[slot * 4] = p[0]!
    c.words[slot * 4 + 1] = p[1]!
    c.words[slot * 4 + 2] = p[2]!
    c.words[slot * 4 + 3] = p[3]!
    c.created[slot] = createdAtMs
    c.segments[slot] = segment
    c.offsets[slot] = offset
    c.lengths[slot] = length
    c.live[slot] = 1
    this.keys.insert(hashOf(this.probe), slot, this.allLive)
    this.size++
    return pos
  }

  remove (pos: number): void {
    const slot = pos & this.mask
    this.removing = slot
    const at = this.keys.find(this.keys.hashes[slot]!, this.isRemoved)
    if (at >= 0) this.keys.removeAt(at)
    this.cols.live[slot] = 0
    this.size--
  }

  /** The oldest live position, or -1 (the head moves past removed ones). */
  first (): number {
    while (this.head < this.tail && this.cols.live[this.head & this.mask] === 0) this.head++
    return this.head < this.tail ? this.head : -1
  }

  isLive (pos: number): boolean { return pos >= this.head && pos < this.tail && this.cols.live[pos & this.mask] === 1 }
  createdAt (pos: number): number { return this.cols.created[pos & this.mask]! }
  segment (pos: number): number { return this.cols.segments[pos & this.mask]! }
  offset (pos: number): number { return this.cols.offsets[pos & this.mask]! }
  length (pos: number): number { return this.cols.lengths[pos & this.mask]! }

  private positionOf (slot: number): number {
    return this.head + ((slot - this.head) & this.mask)
  }

  private * liveSlots (): Generator<number> {
    for (let pos = this.head; pos < this.tail; pos++) if (this.cols.live[pos & this.mask] === 1) yield pos & this.mask
  }

  /** Twice the slots, each position moved to its slot under the new mask, and the table rebuilt for them. */
  private grow (): void {
    const capacity = (this.mask + 1) * 2
    const from = { mask: this.mask, cols: this.cols, hashes: this.keys.hashes }
    this.mask = capacity - 1
    this.cols = columns(capacity)
    this.keys = new KeyTable(capacity)
    const a = from.cols
    const b = this.cols
    for (let pos = this.head; pos < this.tail; pos++) {
      const i = pos & from.mask
      const j = pos & this.mask
      b.words.set(a.words.subarray(i * 4, i * 4 + 4), j * 4)
      b.created[j] = a.created[i]!
      b.segments[j] = a.segments[i]!
      b.offsets[j] = a.offsets[i]!
      b.lengths[j] = a.lengths[i]!
      b.live[j] = a.live[i]!
      if (b.live[j] === 1) this.keys.insert(from.hashes[i]!, j, this.allLive)
    }
  }
}

/** An id of ours (`resp_` and 32 lowercase hex digits) into four words; false for any other string. */
function readId (id: string, out: Uint32Array): boolean {
  return id.length === ID_LENGTH && id.startsWith(PREFIX) && parseHex(id, out)
}

/** The 32 hex digits after the prefix into four words; false at a character that is not one. */
function parseHex (id: string, out: Uint32Array): boolean {
  for (let w = 0; w < 4; w++) {
    let v = 0
    for (let i = PREFIX.length + w * 8, end = i + 8; i < end; i++) {
      const c = id.charCodeAt(i)
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1
      if (d < 0) return false
      v = (v << 4) | d
    }
    out[w] = v
  }
  return true
}

/** The words mixed (ids are random, but tests and old logs may count in a few digits). */
function hashOf (w: Uint32Array): number {
  let h = 0x811c9dc5
  for (let i = 0; i < 4; i++) h = Math.imul(h ^ w[i]!, 0x01000193) ^ (h >>> 15)
  return h >>> 0
}
