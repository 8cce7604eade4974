/**
 * One agent's live session index without one JS object per session: numbers in
 * typed-array columns by slot, sessionIds as 16 raw bytes, strings as one record
 * per slot in a UTF-8 arena, keys found through an open-addressing table over
 * the arena. At 100,000 sessions that is ~15 MB outside the V8 heap instead of
 * ~37 MB of objects, and a load leaves nothing behind for the GC to promote.
 */
import { isSessionId } from './keys.js'
import {
  ABSENT, bytesOf, decodeField, headerOf, includesFolded, isAsciiRange, readVarint, varintSize, writeField, writeVarint, type Needle
} from './index-strings.js'
import type { SessionEntry } from './types.js'

const NUMBERS = ['createdAt', 'updatedAt', 'messageCount', 'inputTokens', 'outputTokens', 'totalTokens'] as const
/** The record's fields, in order; `rest` is the JSON of every other field (model, channel, unknown ones). */
const STRINGS = ['key', 'lastMessagePreview', 'label', 'displayName'] as const
const REST = STRINGS.length
const FIELDS = REST + 1
const BOOLS = ['archived', 'pinned'] as const
const COLUMN_KEYS: ReadonlySet<string> = new Set(['agentId', 'sessionId', ...NUMBERS])
const LIVE = 1
/** Two bits per boolean: present, value. */
const BOOL_BIT = [2, 8] as const
/** A searchable field is not plain ASCII: search decodes this record. */
const NON_ASCII = 32
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
  private ids: Buffer
  private flags: Uint8Array
  private recOff: Uint32Array
  private recLen: Uint32Array
  private hashes: Uint32Array
  private table: Int32Array
  private arena: Buffer
  private used = 0
  private garbage = 0
  private count = 0
  private tombstones = 0
  private limit = 0
  /** Head of the free-slot chain, threaded through `recOff`. */
  private freeHead = -1
  private scratch = Buffer.alloc(4096)
  private readonly headers = new Float64Array(FIELDS)
  private readonly varint = new Float64Array(1)

  constructor (opts: SessionIndexOptions = {}) {
    this.cap = Math.max(MIN_SLOTS, opts.capacity ?? 0)
    this.nums = new Float64Array(this.cap * NUMBERS.length)
    this.ids = Buffer.alloc(this.cap * ID_BYTES)
    this.flags = new Uint8Array(this.cap)
    this.recOff = new Uint32Array(this.cap)
    this.recLen = new Uint32Array(this.cap)
    this.hashes = new Uint32Array(this.cap)
    this.table = new Int32Array(tableSizeFor(this.cap))
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
    const len = this.encodeKey(key)
    return this.find(this.scratch, len, hashBytes(this.scratch, 0, len))
  }

  set (key: string, entry: SessionEntry): void {
    if (entry.key !== key) throw new Error(`session index: entry for ${key} names ${entry.key}`)
    if (!isSessionId(entry.sessionId)) throw new Error(`session index: not a canonical sessionId: ${entry.sessionId}`)
    let slot = this.slotOf(key)
    if (slot === -1) slot = this.insert(key)
    const n = slot * NUMBERS.length
    for (let i = 0; i < NUMBERS.length; i++) this.nums[n + i] = entry[NUMBERS[i]!]
    this.ids.write(entry.sessionId.replaceAll('-', ''), slot * ID_BYTES, ID_BYTES, 'hex')
    let flags = LIVE
    const rest: Record<string, unknown> = {}
    let hasRest = false
    for (const field in entry) {
      const value: unknown = entry[field as keyof SessionEntry]
      if (value === undefined || COLUMN_KEYS.has(field) || (typeof value === 'string' && (STRINGS as readonly string[]).includes(field))) continue
      const b = (BOOLS as readonly string[]).indexOf(field)
      if (b !== -1 && typeof value === 'boolean') {
        flags |= BOOL_BIT[b]! | (value ? BOOL_BIT[b]! * 2 : 0)
        continue
      }
      rest[field] = value
      hasRest = true
    }
    const nonAscii = this.writeRecord(slot, entry, hasRest ? JSON.stringify(rest) : undefined)
    this.flags[slot] = flags | (nonAscii ? NON_ASCII : 0)
  }

  /** Overwrites one number in place (no record rewrite): counters and timestamps. */
  setNumber (key: string, field: NumberField, value: number): boolean {
    const slot = this.slotOf(key)
    if (slot === -1) return false
    this.nums[slot * NUMBERS.length + NUMBERS.indexOf(field)] = value
    return true
  }

  delete (key: string): boolean {
    const len = this.encodeKey(key)
    const pos = this.findPos(this.scratch, len, hashBytes(this.scratch, 0, len))
    if (pos === -1) return false
    const slot = this.table[pos]! - 1
    this.table[pos] = -1
    this.tombstones += 1
    this.count -= 1
    this.garbage += this.recLen[slot]!
    this.flags[slot] = 0
    this.recLen[slot] = 0
    this.recOff[slot] = this.freeHead
    this.freeHead = slot
    return true
  }

  clear (): void {
    this.flags.fill(0)
    this.table.fill(0)
    this.used = this.garbage = this.count = this.tombstones = this.limit = 0
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

  [Symbol.iterator] (): IterableIterator<[string, SessionEntry]> {
    return this.entries()
  }

  keyAt (slot: number): string {
    const pos = readVarint(this.arena, this.recOff[slot]!, this.varint)
    return decodeField(this.arena, pos, this.varint[0]!)
  }

  sessionIdAt (slot: number): string {
    const hex = this.ids.toString('hex', slot * ID_BYTES, (slot + 1) * ID_BYTES)
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }

  numberAt (slot: number, field: NumberField): number {
    return this.nums[slot * NUMBERS.length + NUMBERS.indexOf(field)]!
  }

  updatedAt (slot: number): number {
    return this.nums[slot * NUMBERS.length + 1]!
  }

  /** One field of the entry in `slot`, as `entryAt(slot)[field]` would give it. */
  fieldAt<F extends keyof SessionEntry> (slot: number, field: F): SessionEntry[F] {
    if ((NUMBERS as readonly string[]).includes(field)) return this.numberAt(slot, field as NumberField) as SessionEntry[F]
    if (field === 'sessionId') return this.sessionIdAt(slot) as SessionEntry[F]
    if (field === 'agentId') return agentOfValidKey(this.keyAt(slot)) as SessionEntry[F]
    const b = (BOOLS as readonly string[]).indexOf(field)
    if (b !== -1 && (this.flags[slot]! & BOOL_BIT[b]!) !== 0) return ((this.flags[slot]! & (BOOL_BIT[b]! * 2)) !== 0) as SessionEntry[F]
    const s = (STRINGS as readonly string[]).indexOf(field)
    const pos = this.readHeaders(slot)
    if (s !== -1 && this.headers[s] !== ABSENT) return decodeField(this.arena, fieldStart(pos, this.headers, s), this.headers[s]!) as SessionEntry[F]
    if (this.headers[REST] === ABSENT) return undefined as SessionEntry[F]
    return (JSON.parse(decodeField(this.arena, fieldStart(pos, this.headers, REST), this.headers[REST]!)) as Partial<SessionEntry>)[field] as SessionEntry[F]
  }

  entryAt (slot: number): SessionEntry {
    const pos = this.readHeaders(slot)
    const h = this.headers
    const str = (i: number): string | undefined => h[i] === ABSENT ? undefined : decodeField(this.arena, fieldStart(pos, h, i), h[i]!)
    const key = str(0)!
    const n = slot * NUMBERS.length
    const e: Record<string, unknown> = { key, agentId: agentOfValidKey(key), sessionId: this.sessionIdAt(slot), createdAt: this.nums[n], updatedAt: this.nums[n + 1] }
    for (let i = 2; i < REST; i++) if (h[i] !== ABSENT) e[STRINGS[i]!] = str(i)
    if (h[REST] !== ABSENT) Object.assign(e, JSON.parse(str(REST)!))
    for (let b = 0; b < BOOLS.length; b++) if ((this.flags[slot]! & BOOL_BIT[b]!) !== 0) e[BOOLS[b]!] = (this.flags[slot]! & (BOOL_BIT[b]! * 2)) !== 0
    for (let i = 2; i < NUMBERS.length; i++) e[NUMBERS[i]!] = this.nums[n + i]
    if (h[1] !== ABSENT) e.lastMessagePreview = str(1)
    return e as unknown as SessionEntry
  }

  /** Case-insensitive substring match on key, label, display name and last message. */
  matches (slot: number, needle: Needle): boolean {
    const pos = this.readHeaders(slot)
    const decode = (this.flags[slot]! & NON_ASCII) !== 0
    for (let i = 0, start = pos; i < REST; start += bytesOf(this.headers[i]!) + varintSize(this.headers[i + 1]!), i++) {
      const h = this.headers[i]!
      if (h === ABSENT) continue
      if (decode) {
        if (decodeField(this.arena, start, h).toLowerCase().includes(needle.text)) return true
      } else if (needle.ascii !== undefined && includesFolded(this.arena, start, start + bytesOf(h), needle.ascii)) {
        return true
      }
    }
    return false
  }

  /** Arena figures, to see compaction at work. */
  stats (): { slots: number, arenaBytes: number, arenaUsed: number, garbageBytes: number } {
    return { slots: this.cap, arenaBytes: this.arena.length, arenaUsed: this.used, garbageBytes: this.garbage }
  }

  /** Reads the record's field headers into `headers`; returns the start of field 0's bytes. */
  private readHeaders (slot: number): number {
    const h = this.headers
    let pos = this.recOff[slot]!
    let first = 0
    for (let i = 0; i < FIELDS; i++) {
      pos = readVarint(this.arena, pos, this.varint)
      h[i] = this.varint[0]!
      if (i === 0) first = pos
      pos += bytesOf(h[i]!)
    }
    return first
  }

  /** Returns whether a searchable field is not plain ASCII. */
  private writeRecord (slot: number, entry: SessionEntry, rest: string | undefined): boolean {
    const values = [entry.key, ...STRINGS.slice(1).map((f) => typeof entry[f] === 'string' ? entry[f] : undefined), rest]
    let size = 0
    let nonAscii = false
    for (let i = 0; i < FIELDS; i++) {
      const v = values[i]
      this.headers[i] = v === undefined ? ABSENT : headerOf(v)
      size += varintSize(this.headers[i]!) + bytesOf(this.headers[i]!)
      if (i < REST && v !== undefined && (this.headers[i]! & 1 || bytesOf(this.headers[i]!) !== v.length)) nonAscii = true
    }
    this.reserve(size)
    const start = this.used
    let pos = start
    for (let i = 0; i < FIELDS; i++) {
      pos = this.headers[i] === ABSENT ? writeVarint(this.arena, pos, ABSENT) : writeField(this.arena, pos, values[i]!, this.headers[i]!)
    }
    this.used = pos
    this.garbage += this.recLen[slot]!
    this.recOff[slot] = start
    this.recLen[slot] = size
    return nonAscii
  }

  /** Room for `need` more bytes: moves the live records to a buffer at most half full, so moves are amortised O(1) per byte. */
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

  private encodeKey (key: string): number {
    const header = headerOf(key)
    const len = bytesOf(header)
    if (len + 1 > this.scratch.length) this.scratch = Buffer.alloc(len * 2)
    this.scratch[0] = header & 1
    return 1 + this.scratch.write(key, 1, len, (header & 1) === 1 ? 'utf16le' : 'utf8')
  }

  /** Takes a free slot (or a new one) for `key`, whose bytes are in `scratch`. */
  private insert (key: string): number {
    const len = this.encodeKey(key)
    const hash = hashBytes(this.scratch, 0, len)
    if ((this.count + this.tombstones + 1) * 2 > this.table.length) this.rehash()
    let slot = this.freeHead
    if (slot !== -1) this.freeHead = this.recOff[slot]!
    else {
      if (this.limit === this.cap) this.grow()
      slot = this.limit++
    }
    this.hashes[slot] = hash
    this.recLen[slot] = 0
    const mask = this.table.length - 1
    let i = hash & mask
    while (this.table[i]! > 0) i = (i + 1) & mask
    if (this.table[i] === -1) this.tombstones -= 1
    this.table[i] = slot + 1
    this.count += 1
    // A placeholder record holding the key, so lookups work before writeRecord runs.
    this.flags[slot] = LIVE
    return slot
  }

  private find (bytes: Buffer, len: number, hash: number): number {
    const pos = this.findPos(bytes, len, hash)
    return pos === -1 ? -1 : this.table[pos]! - 1
  }

  private findPos (bytes: Buffer, len: number, hash: number): number {
    const mask = this.table.length - 1
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const v = this.table[i]!
      if (v === 0) return -1
      if (v > 0 && this.hashes[v - 1] === hash && this.keyEquals(v - 1, bytes, len)) return i
    }
  }

  /** `bytes` is [utf16 flag, key bytes…], as `encodeKey` writes it. */
  private keyEquals (slot: number, bytes: Buffer, len: number): boolean {
    if (this.recLen[slot] === 0) return false
    const pos = readVarint(this.arena, this.recOff[slot]!, this.varint)
    const header = this.varint[0]!
    return (header & 1) === bytes[0] && bytesOf(header) === len - 1 && this.arena.compare(bytes, 1, len, pos, pos + len - 1) === 0
  }

  private rehash (): void {
    const size = tableSizeFor(Math.max(this.count + 1, this.cap))
    const table = new Int32Array(size)
    const mask = size - 1
    for (let s = 0; s < this.limit; s++) {
      if (!this.isLive(s)) continue
      let i = this.hashes[s]! & mask
      while (table[i] !== 0) i = (i + 1) & mask
      table[i] = s + 1
    }
    this.table = table
    this.tombstones = 0
  }

  private grow (): void {
    const cap = this.cap * 2
    const widen = <T extends Float64Array | Uint32Array | Uint8Array>(old: T, next: T): T => {
      next.set(old)
      return next
    }
    this.nums = widen(this.nums, new Float64Array(cap * NUMBERS.length))
    this.flags = widen(this.flags, new Uint8Array(cap))
    this.recOff = widen(this.recOff, new Uint32Array(cap))
    this.recLen = widen(this.recLen, new Uint32Array(cap))
    this.hashes = widen(this.hashes, new Uint32Array(cap))
    const ids = Buffer.alloc(cap * ID_BYTES)
    this.ids.copy(ids)
    this.ids = ids
    this.cap = cap
    this.rehash()
  }
}

/** Where field `i`'s bytes start, given field 0's start and the headers. */
function fieldStart (first: number, headers: Float64Array, i: number): number {
  let pos = first
  for (let j = 0; j < i; j++) pos += bytesOf(headers[j]!) + varintSize(headers[j + 1]!)
  return pos
}

/** Keys in the index were validated (`agent:<id>:<rest>`). */
function agentOfValidKey (key: string): string {
  return key.slice(6, key.indexOf(':', 6))
}

/** Load at most 1/2 (counting tombstones): a power of two. */
function tableSizeFor (slots: number): number {
  let size = 16
  while (size < slots * 2) size *= 2
  return size
}

/** FNV-1a over the key bytes. */
function hashBytes (buf: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193)
  return h >>> 0
}
