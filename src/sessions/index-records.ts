/**
 * The strings of each index slot as one record in a byte arena: per field a
 * varint header (absent, or the byte length and UTF-8/UTF-16), then its bytes.
 * A rewrite appends a new record and leaves the old one as garbage; when the
 * arena fills, the live records move to a buffer at most half full, so moving
 * costs O(1) per byte written.
 */
import type { EntryLine } from './entry-line.js'
import {
  ABSENT, bytesOf, decodeField, headerOf, includesFolded, isAsciiRange, readVarint, varintSize, writeBytes, writeVarint, type Needle
} from './index-strings.js'
import type { SessionEntry } from './types.js'

/** A record's fields, in order; the last holds the JSON of every other field (model, channel, unknown ones). */
export const STRINGS = ['key', 'lastMessagePreview', 'label', 'displayName'] as const
export const REST = STRINGS.length
const FIELDS = REST + 1
/** What a write reports, as bits the index keeps per slot: a searchable field is not plain ASCII. */
export const NON_ASCII = 32
export const HAS_REST = 64
/** STRINGS[i] is present: a filter reading an absent label never touches the arena. */
export const STRING_BIT = [0, 128, 256, 512] as const
const MIN_ARENA = 16 * 1024

export class RecordArena {
  /** Headers and byte starts of the record last `read`. */
  readonly headers = new Float64Array(FIELDS)
  readonly starts = new Float64Array(FIELDS)
  private arena: Buffer
  private used = 0
  private garbage = 0
  private offsets: Uint32Array
  /** 0 for a slot without a record (free, or not written yet). */
  private lengths: Uint32Array
  private readonly varint = new Float64Array(1)

  constructor (slots: number, bytes: number) {
    this.offsets = new Uint32Array(slots)
    this.lengths = new Uint32Array(slots)
    this.arena = Buffer.allocUnsafe(Math.max(MIN_ARENA, bytes))
  }

  grow (slots: number): void {
    const offsets = new Uint32Array(slots)
    const lengths = new Uint32Array(slots)
    offsets.set(this.offsets)
    lengths.set(this.lengths)
    this.offsets = offsets
    this.lengths = lengths
  }

  /** Loads the slot's headers and starts. */
  read (slot: number): void {
    const a = this.arena
    let pos = this.offsets[slot]!
    for (let i = 0; i < FIELDS; i++) {
      let h = a[pos]!
      if (h < 0x80) pos += 1
      else {
        pos = readVarint(a, pos, this.varint)
        h = this.varint[0]!
      }
      this.headers[i] = h
      this.starts[i] = pos
      pos += bytesOf(h)
    }
  }

  /** Field `i` of the record last read. */
  field (i: number): string | undefined {
    return this.headers[i] === ABSENT ? undefined : decodeField(this.arena, this.starts[i]!, this.headers[i]!)
  }

  free (slot: number): void {
    this.garbage += this.lengths[slot]!
    this.lengths[slot] = 0
  }

  clear (): void {
    this.lengths.fill(0)
    this.used = this.garbage = 0
  }

  /** Writes the entry's strings (and `rest`) as the slot's record; returns NON_ASCII, HAS_REST and STRING_BIT bits. */
  write (slot: number, entry: SessionEntry, rest: string | undefined): number {
    const h = this.headers
    let size = 0
    let flags = 0
    for (let i = 0; i < FIELDS; i++) {
      const v = i === REST ? rest : entry[STRINGS[i]!]
      h[i] = typeof v === 'string' ? headerOf(v) : ABSENT
      size += varintSize(h[i]!) + bytesOf(h[i]!)
      if (h[i] === ABSENT) continue
      if (i === REST) flags |= HAS_REST
      else {
        flags |= STRING_BIT[i]!
        if ((h[i]! & 1) === 1 || bytesOf(h[i]!) !== (v as string).length) flags |= NON_ASCII
      }
    }
    let pos = this.start(slot, size)
    for (let i = 0; i < FIELDS; i++) {
      pos = writeVarint(this.arena, pos, h[i]!)
      if (h[i] !== ABSENT) pos = writeBytes(this.arena, pos, (i === REST ? rest : entry[STRINGS[i]!]) as string, h[i]!)
    }
    this.used = pos
    return flags
  }

  /** `write` from a snapshot line's byte ranges: the strings as the file has them, the other members verbatim as `{…}`. */
  writeLine (slot: number, line: EntryLine, src: Buffer): number {
    const h = this.headers
    const r = line.strings
    let flags = 0
    for (let i = 0; i < REST; i++) {
      h[i] = r[i * 2]! < 0 ? ABSENT : (r[i * 2 + 1]! - r[i * 2]!) * 2 + 2
      if (h[i] === ABSENT) continue
      flags |= STRING_BIT[i]!
      if (!isAsciiRange(src, r[i * 2]!, r[i * 2 + 1]!)) flags |= NON_ASCII
    }
    // `{` + members joined by `,` + `}`.
    let restBytes = line.restCount + 1
    for (let m = 0; m < line.restCount; m++) restBytes += line.rest[m * 2 + 1]! - line.rest[m * 2]!
    h[REST] = line.restCount === 0 ? ABSENT : restBytes * 2 + 2
    if (line.restCount > 0) flags |= HAS_REST
    let size = 0
    for (let i = 0; i < FIELDS; i++) size += varintSize(h[i]!) + bytesOf(h[i]!)
    let pos = this.start(slot, size)
    const a = this.arena
    for (let i = 0; i < REST; i++) {
      pos = writeVarint(a, pos, h[i]!)
      if (h[i] !== ABSENT) pos = copyBytes(src, r[i * 2]!, r[i * 2 + 1]!, a, pos)
    }
    pos = writeVarint(a, pos, h[REST]!)
    for (let m = 0; m < line.restCount; m++) {
      a[pos++] = m === 0 ? 0x7b : 0x2c
      pos = copyBytes(src, line.rest[m * 2]!, line.rest[m * 2 + 1]!, a, pos)
    }
    if (line.restCount > 0) a[pos++] = 0x7d
    this.used = pos
    return flags
  }

  /** Is the slot's key `bytes[1..len)` stored as `bytes[0]` says (1: UTF-16)? */
  keyEquals (slot: number, bytes: Buffer, len: number): boolean {
    if (this.lengths[slot] === 0) return false
    this.read(slot)
    const header = this.headers[0]!
    const start = this.starts[0]!
    return (header & 1) === bytes[0] && bytesOf(header) === len - 1 && this.arena.compare(bytes, 1, len, start, start + len - 1) === 0
  }

  /** Case-insensitive substring match on the searchable fields; `decode` when they are not plain ASCII. */
  matches (slot: number, needle: Needle, decode: boolean): boolean {
    this.read(slot)
    for (let i = 0; i < REST; i++) {
      const h = this.headers[i]!
      if (h === ABSENT) continue
      const start = this.starts[i]!
      if (decode) {
        if (decodeField(this.arena, start, h).toLowerCase().includes(needle.text)) return true
      } else if (needle.ascii !== undefined && includesFolded(this.arena, start, start + bytesOf(h), needle.ascii)) {
        return true
      }
    }
    return false
  }

  stats (): { arenaBytes: number, arenaUsed: number, garbageBytes: number } {
    return { arenaBytes: this.arena.length, arenaUsed: this.used, garbageBytes: this.garbage }
  }

  /** Makes room for a `size`-byte record for `slot` (retiring its old one); returns where it starts. */
  private start (slot: number, size: number): number {
    this.reserve(size)
    this.garbage += this.lengths[slot]!
    this.offsets[slot] = this.used
    this.lengths[slot] = size
    return this.used
  }

  private reserve (need: number): void {
    if (this.used + need <= this.arena.length) return
    const live = this.used - this.garbage
    let size = this.arena.length
    while (live + need > size / 2) size *= 2
    const next = Buffer.allocUnsafe(size)
    let pos = 0
    for (let s = 0; s < this.lengths.length; s++) {
      const len = this.lengths[s]!
      if (len === 0) continue
      this.arena.copy(next, pos, this.offsets[s]!, this.offsets[s]! + len)
      this.offsets[s] = pos
      pos += len
    }
    this.arena = next
    this.used = pos
    this.garbage = 0
  }
}

/** Copies [start, end) of `src` to `pos` in `dst`; returns the position after. A JS loop beats a native call for these short strings. */
export function copyBytes (src: Uint8Array, start: number, end: number, dst: Uint8Array, pos: number): number {
  for (let i = start; i < end; i++) dst[pos++] = src[i]!
  return pos
}
