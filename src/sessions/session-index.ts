/**
 * One agent's live session index without one JS object per session: numbers in
 * typed-array columns by slot, sessionIds as 16 raw bytes, the strings of each
 * slot as one record in a byte arena, keys found through a hash table over the
 * arena. At 100,000 sessions: ~16 MB outside the V8 heap instead of ~37 MB of
 * objects, and a load leaves nothing behind for the GC to promote.
 */
import { uuidBytes, type EntryLine } from './entry-line.js'
import { hashBytes, KeyTable } from './key-table.js'
import {
  ABSENT, bytesOf, decodeField, headerOf, includesFolded, isAsciiRange, readVarint, varintSize, writeBytes, writeVarint, type Needle
} from './index-strings.js'
import type { SessionEntry } from './types.js'

const NUMBERS = ['createdAt', 'updatedAt', 'messageCount', 'inputTokens', 'outputTokens', 'totalTokens'] as const
const N = NUMBERS.length
/** A record's fields, in order; the last holds the JSON of every other field (model, channel, unknown ones). */
const STRINGS = ['key', 'lastMessagePreview', 'label', 'displayName'] as const
const REST = STRINGS.length
const FIELDS = REST + 1
const LIVE = 1
const ARCHIVED_SET = 2
const ARCHIVED = 4
const PINNED_SET = 8
const PINNED = 16
/** A searchable field is not plain ASCII: search decodes this record. */
const NON_ASCII = 32
const HAS_REST = 64
/** Presence of STRINGS[i], so a filter reading an absent label never touches the arena. */
const STRING_BIT = [0, 128, 256, 512] as const
const ID_BYTES = 16
const MIN_SLOTS = 64
const MIN_ARENA = 16 * 1024

export type NumberField = typeof NUMBERS[number]

export interface SessionIndexOptions {
  /** Expected number of sessions, so a load does not copy its columns while growing. */
  capacity?: number
  /** Expected bytes of string records. */
  arenaBytes?: number
}

export class SessionIndex {
  private cap: number
  private nums: Float64Array
  private ids: Uint8Array
  private flags: Uint16Array
  private recOff: Uint32Array
  private recLen: Uint32Array
  private readonly keys_: KeyTable
  private arena: Buffer
  private used = 0
  private garbage = 0
  private count = 0
  private limit = 0
  /** Head of the free-slot chain, threaded through `recOff` (as next + 1: the column is unsigned). */
  private freeHead = -1
  /** The key being looked up: [1 if UTF-16, bytes…]. */
  private scratch = Buffer.alloc(2048)
  private scratchLen = 0
  private readonly idScratch = new Uint8Array(ID_BYTES)
  private readonly idText = new Uint8Array(36)
  private readonly headers = new Float64Array(FIELDS)
  private readonly starts = new Float64Array(FIELDS)
  private readonly varint = new Float64Array(1)
  private readonly scratchEquals = (slot: number): boolean => this.keyEquals(slot)
  private readonly live = (): Iterable<number> => this.liveSlots()

  constructor (opts: SessionIndexOptions = {}) {
    this.cap = Math.max(MIN_SLOTS, opts.capacity ?? 0)
    this.nums = new Float64Array(this.cap * N)
    this.ids = new Uint8Array(this.cap * ID_BYTES)
    this.flags = new Uint16Array(this.cap)
    this.recOff = new Uint32Array(this.cap)
    this.recLen = new Uint32Array(this.cap)
    this.keys_ = new KeyTable(this.cap)
    this.arena = Buffer.allocUnsafe(Math.max(MIN_ARENA, opts.arenaBytes ?? 0))
  }

  static from (entries: Iterable<[string, SessionEntry]>): SessionIndex {
    const index = new SessionIndex()
    for (const [key, entry] of entries) index.set(key, entry)
    return index
  }

  get size (): number {
    return this.count
  }

  /** Slots run from 0 to this (exclusive); iterate them with `isLive`. */
  get slotLimit (): number {
    return this.limit
  }

  isLive (slot: number): boolean {
    return (this.flags[slot]! & LIVE) !== 0
  }

  has (key: string): boolean {
    return this.slotOf(key) !== -1
  }

  /** A fresh copy: changing it changes nothing until it is `set`. */
  get (key: string): SessionEntry | undefined {
    const slot = this.slotOf(key)
    return slot === -1 ? undefined : this.entryAt(slot)
  }

  slotOf (key: string): number {
    const pos = this.keys_.find(this.encodeKey(key), this.scratchEquals)
    return pos === -1 ? -1 : this.keys_.slotAt(pos)
  }

  set (key: string, entry: SessionEntry): void {
    if (entry.key !== key) throw new Error(`session index: entry for ${key} names ${entry.key}`)
    if (!uuidInto(entry.sessionId, this.idText, this.idScratch)) throw new Error(`session index: not a canonical sessionId: ${entry.sessionId}`)
    const hash = this.encodeKey(key)
    const pos = this.keys_.find(hash, this.scratchEquals)
    const slot = pos === -1 ? this.insert(hash) : this.keys_.slotAt(pos)
    const n = slot * N
    for (let i = 0; i < N; i++) this.nums[n + i] = entry[NUMBERS[i]!]
    this.ids.set(this.idScratch, slot * ID_BYTES)
    let flags = LIVE
    let rest: Record<string, unknown> | undefined
    for (const field in entry) {
      const value: unknown = entry[field as keyof SessionEntry]
      if (value === undefined) continue
      switch (field) {
        case 'key': case 'agentId': case 'sessionId': case 'createdAt': case 'updatedAt':
        case 'messageCount': case 'inputTokens': case 'outputTokens': case 'totalTokens':
          continue
        case 'lastMessagePreview': case 'label': case 'displayName':
          if (typeof value === 'string') continue
          break
        case 'archived':
          if (typeof value === 'boolean') { flags |= ARCHIVED_SET | (value ? ARCHIVED : 0); continue }
          break
        case 'pinned':
          if (typeof value === 'boolean') { flags |= PINNED_SET | (value ? PINNED : 0); continue }
          break
      }
      rest ??= {}
      rest[field] = value
    }
    this.flags[slot] = flags | this.writeRecord(slot, entry, rest && JSON.stringify(rest))
  }

  /** `set` for a snapshot line `line` read from `src`: copies bytes, makes no string or object. */
  setLine (line: EntryLine, src: Buffer): void {
    const ks = line.strings[0]!
    const ke = line.strings[1]!
    if (ke - ks + 1 > this.scratch.length) this.scratch = Buffer.alloc((ke - ks) * 2)
    this.scratch[0] = 0
    copyBytes(src, ks, ke, this.scratch, 1)
    this.scratchLen = ke - ks + 1
    const hash = hashBytes(this.scratch, 0, this.scratchLen)
    const pos = this.keys_.find(hash, this.scratchEquals)
    const slot = pos === -1 ? this.insert(hash) : this.keys_.slotAt(pos)
    this.nums.set(line.numbers, slot * N)
    this.ids.set(line.sessionId, slot * ID_BYTES)
    let flags = LIVE
    if (line.bools[0]! >= 0) flags |= ARCHIVED_SET | (line.bools[0] === 1 ? ARCHIVED : 0)
    if (line.bools[1]! >= 0) flags |= PINNED_SET | (line.bools[1] === 1 ? PINNED : 0)
    this.flags[slot] = flags | this.writeLineRecord(slot, line, src)
  }

  delete (key: string): boolean {
    const pos = this.keys_.find(this.encodeKey(key), this.scratchEquals)
    if (pos === -1) return false
    const slot = this.keys_.slotAt(pos)
    this.keys_.removeAt(pos)
    this.count -= 1
    this.garbage += this.recLen[slot]!
    this.flags[slot] = 0
    this.recLen[slot] = 0
    this.recOff[slot] = this.freeHead + 1
    this.freeHead = slot
    return true
  }

  clear (): void {
    this.flags.fill(0)
    this.keys_.clear()
    this.used = this.garbage = this.count = this.limit = 0
    this.freeHead = -1
  }

  /** Keys in slot order. */
  * keys (): IterableIterator<string> {
    for (let s = 0; s < this.limit; s++) if (this.isLive(s)) yield this.keyAt(s)
  }

  /** Fresh copies in slot order: one object per entry, so for rare paths (rebuild, repair, tests). */
  * entries (): IterableIterator<[string, SessionEntry]> {
    for (let s = 0; s < this.limit; s++) if (this.isLive(s)) yield [this.keyAt(s), this.entryAt(s)]
  }

  keyAt (slot: number): string {
    this.readHeaders(slot)
    return decodeField(this.arena, this.starts[0]!, this.headers[0]!)
  }

  sessionIdAt (slot: number): string {
    const hex = Buffer.from(this.ids.buffer, this.ids.byteOffset + slot * ID_BYTES, ID_BYTES).toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }

  numberAt (slot: number, field: NumberField): number {
    return this.nums[slot * N + NUMBERS.indexOf(field)]!
  }

  updatedAt (slot: number): number {
    return this.nums[slot * N + 1]!
  }

  /** One field of the entry in `slot`, as `entryAt(slot)[field]` would give it. */
  fieldAt<F extends keyof SessionEntry> (slot: number, field: F): SessionEntry[F] {
    return this.field(slot, field) as SessionEntry[F]
  }

  private field (slot: number, field: keyof SessionEntry): unknown {
    const flags = this.flags[slot]!
    switch (field) {
      case 'key': return this.keyAt(slot)
      case 'agentId': return agentOfValidKey(this.keyAt(slot))
      case 'sessionId': return this.sessionIdAt(slot)
      case 'createdAt': case 'updatedAt': case 'messageCount': case 'inputTokens': case 'outputTokens': case 'totalTokens':
        return this.numberAt(slot, field)
      case 'archived': if (flags & ARCHIVED_SET) return (flags & ARCHIVED) !== 0
        break
      case 'pinned': if (flags & PINNED_SET) return (flags & PINNED) !== 0
        break
      case 'lastMessagePreview': case 'label': case 'displayName': {
        const i = STRINGS.indexOf(field)
        if (flags & STRING_BIT[i]!) {
          this.readHeaders(slot)
          return decodeField(this.arena, this.starts[i]!, this.headers[i]!)
        }
      }
    }
    return (flags & HAS_REST) !== 0 ? (this.restAt(slot) as Record<string, unknown>)[field] : undefined
  }

  entryAt (slot: number): SessionEntry {
    this.readHeaders(slot)
    const h = this.headers
    const str = (i: number): string => decodeField(this.arena, this.starts[i]!, h[i]!)
    const key = str(0)
    const n = slot * N
    const flags = this.flags[slot]!
    const e: Record<string, unknown> = { key, agentId: agentOfValidKey(key), sessionId: this.sessionIdAt(slot), createdAt: this.nums[n], updatedAt: this.nums[n + 1] }
    if (h[2] !== ABSENT) e.label = str(2)
    if (h[3] !== ABSENT) e.displayName = str(3)
    if (h[REST] !== ABSENT) Object.assign(e, JSON.parse(str(REST)))
    if (flags & ARCHIVED_SET) e.archived = (flags & ARCHIVED) !== 0
    if (flags & PINNED_SET) e.pinned = (flags & PINNED) !== 0
    for (let i = 2; i < N; i++) e[NUMBERS[i]!] = this.nums[n + i]
    if (h[1] !== ABSENT) e.lastMessagePreview = str(1)
    return e as unknown as SessionEntry
  }

  /** Case-insensitive substring match on key, label, display name and last message. */
  matches (slot: number, needle: Needle): boolean {
    this.readHeaders(slot)
    const decode = (this.flags[slot]! & NON_ASCII) !== 0
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

  /** Arena figures, to watch compaction at work. */
  stats (): { slots: number, arenaBytes: number, arenaUsed: number, garbageBytes: number } {
    return { slots: this.cap, arenaBytes: this.arena.length, arenaUsed: this.used, garbageBytes: this.garbage }
  }

  private restAt (slot: number): unknown {
    this.readHeaders(slot)
    return JSON.parse(decodeField(this.arena, this.starts[REST]!, this.headers[REST]!))
  }

  /** Reads the record's field headers and where each field's bytes start. */
  private readHeaders (slot: number): void {
    const a = this.arena
    let pos = this.recOff[slot]!
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

  /** Writes the slot's strings as a new record; returns the presence and NON_ASCII flags. */
  private writeRecord (slot: number, entry: SessionEntry, rest: string | undefined): number {
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
    this.reserve(size)
    const start = this.used
    let pos = start
    for (let i = 0; i < FIELDS; i++) {
      pos = writeVarint(this.arena, pos, h[i]!)
      if (h[i] !== ABSENT) pos = writeBytes(this.arena, pos, (i === REST ? rest : entry[STRINGS[i]!]) as string, h[i]!)
    }
    this.used = pos
    this.garbage += this.recLen[slot]!
    this.recOff[slot] = start
    this.recLen[slot] = size
    return flags
  }

  /** writeRecord from byte ranges: the strings as they are in the file, the other members verbatim as `{…}`. */
  private writeLineRecord (slot: number, line: EntryLine, src: Buffer): number {
    const h = this.headers
    const r = line.strings
    let size = 0
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
    for (let i = 0; i < FIELDS; i++) size += varintSize(h[i]!) + bytesOf(h[i]!)
    this.reserve(size)
    const a = this.arena
    let pos = this.used
    for (let i = 0; i < REST; i++) {
      pos = writeVarint(a, pos, h[i]!)
      if (h[i] !== ABSENT) pos = copyBytes(src, r[i * 2]!, r[i * 2 + 1]!, a, pos)
    }
    pos = writeVarint(a, pos, h[REST]!)
    if (line.restCount > 0) {
      for (let m = 0; m < line.restCount; m++) {
        a[pos++] = m === 0 ? 0x7b : 0x2c
        pos = copyBytes(src, line.rest[m * 2]!, line.rest[m * 2 + 1]!, a, pos)
      }
      a[pos++] = 0x7d
    }
    this.garbage += this.recLen[slot]!
    this.recOff[slot] = this.used
    this.recLen[slot] = size
    this.used = pos
    return flags
  }

  /** Room for `need` more bytes: live records move to a buffer at most half full, so moves cost O(1) per byte written. */
  private reserve (need: number): void {
    if (this.used + need <= this.arena.length) return
    const live = this.used - this.garbage
    let size = this.arena.length
    while (live + need > size / 2) size *= 2
    const next = Buffer.allocUnsafe(size)
    let pos = 0
    for (let s = 0; s < this.limit; s++) {
      if (!this.isLive(s)) continue
      const off = this.recOff[s]!
      this.arena.copy(next, pos, off, off + this.recLen[s]!)
      this.recOff[s] = pos
      pos += this.recLen[s]!
    }
    this.arena = next
    this.used = pos
    this.garbage = 0
  }

  /** Puts the key's bytes in `scratch`; returns their hash. */
  private encodeKey (key: string): number {
    const header = headerOf(key)
    const len = bytesOf(header)
    if (len + 1 > this.scratch.length) this.scratch = Buffer.alloc(len * 2)
    this.scratch[0] = header & 1
    this.scratchLen = writeBytes(this.scratch, 1, key, header)
    return hashBytes(this.scratch, 0, this.scratchLen)
  }

  /** A free slot (or a new one) for the key in `scratch`; its record is written next. */
  private insert (hash: number): number {
    let slot = this.freeHead
    if (slot !== -1) this.freeHead = this.recOff[slot]! - 1
    else {
      if (this.limit === this.cap) this.grow()
      slot = this.limit++
    }
    this.recLen[slot] = 0
    this.flags[slot] = 0
    this.keys_.insert(hash, slot, this.live)
    this.flags[slot] = LIVE
    this.count += 1
    return slot
  }

  private keyEquals (slot: number): boolean {
    if (this.recLen[slot] === 0) return false
    this.readHeaders(slot)
    const header = this.headers[0]!
    const start = this.starts[0]!
    const len = this.scratchLen - 1
    return (header & 1) === this.scratch[0] && bytesOf(header) === len && this.arena.compare(this.scratch, 1, this.scratchLen, start, start + len) === 0
  }

  private liveSlots (): Int32Array {
    const slots = new Int32Array(this.count)
    for (let s = 0, n = 0; s < this.limit; s++) if (this.isLive(s)) slots[n++] = s
    return slots
  }

  private grow (): void {
    const cap = this.cap * 2
    const widen = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(old: T, next: T): T => {
      next.set(old)
      return next
    }
    this.nums = widen(this.nums, new Float64Array(cap * N))
    this.ids = widen(this.ids, new Uint8Array(cap * ID_BYTES))
    this.flags = widen(this.flags, new Uint16Array(cap))
    this.recOff = widen(this.recOff, new Uint32Array(cap))
    this.recLen = widen(this.recLen, new Uint32Array(cap))
    this.keys_.resize(cap)
    this.cap = cap
  }
}

/** Copies [start, end) of `src` to `pos` in `dst`; returns the position after. A JS loop beats a native call for these short strings. */
function copyBytes (src: Uint8Array, start: number, end: number, dst: Uint8Array, pos: number): number {
  for (let i = start; i < end; i++) dst[pos++] = src[i]!
  return pos
}

/** Keys in the index were validated (`agent:<id>:<rest>`). */
function agentOfValidKey (key: string): string {
  return key.slice(6, key.indexOf(':', 6))
}

/** A canonical lower-case uuid into 16 bytes (via `text`, 36 bytes); false if `s` is not one. */
function uuidInto (s: unknown, text: Uint8Array, out: Uint8Array): boolean {
  if (typeof s !== 'string' || s.length !== 36) return false
  // 0xff is neither a hex digit nor a dash, so a wider character cannot pass as one.
  for (let i = 0; i < 36; i++) text[i] = Math.min(s.charCodeAt(i), 0xff)
  return uuidBytes(text, 0, out)
}
