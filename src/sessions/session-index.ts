/**
 * One agent's live session index without one JS object per session: numbers in
 * typed-array columns by slot, sessionIds as 16 raw bytes, the strings of each
 * slot as one record in a byte arena (index-records.ts), keys found through a
 * hash table over those bytes (key-table.ts). At 100,000 sessions: ~15 MB
 * outside the V8 heap instead of ~37 MB of objects.
 */
import { uuidBytes, type EntryLine } from './entry-line.js'
import { copyBytes, HAS_REST, NON_ASCII, RecordArena, REST, STRING_BIT, STRINGS } from './index-records.js'
import { bytesOf, headerOf, writeBytes, type Needle } from './index-strings.js'
import { hashBytes, KeyTable } from './key-table.js'
import type { SessionEntry } from './types.js'

const NUMBERS = ['createdAt', 'updatedAt', 'messageCount', 'inputTokens', 'outputTokens', 'totalTokens'] as const
const N = NUMBERS.length
const LIVE = 1
const ARCHIVED_SET = 2
const ARCHIVED = 4
const PINNED_SET = 8
const PINNED = 16
const ID_BYTES = 16
const MIN_SLOTS = 64

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
  /** LIVE, the two booleans, and the record's bits (index-records.ts). */
  private flags: Uint16Array
  private freeSlots: Int32Array
  private freeCount = 0
  private readonly keyTable: KeyTable
  private readonly records: RecordArena
  private count = 0
  private limit = 0
  /** The key being looked up: [1 if UTF-16, bytes…]. */
  private scratch = Buffer.alloc(2048)
  private scratchLen = 0
  private readonly idBytes = new Uint8Array(ID_BYTES)
  private readonly idText = new Uint8Array(36)
  private readonly scratchEquals = (slot: number): boolean => this.records.keyEquals(slot, this.scratch, this.scratchLen)
  private readonly live = (): Iterable<number> => this.liveSlots()

  constructor (opts: SessionIndexOptions = {}) {
    this.cap = Math.max(MIN_SLOTS, opts.capacity ?? 0)
    this.nums = new Float64Array(this.cap * N)
    this.ids = new Uint8Array(this.cap * ID_BYTES)
    this.flags = new Uint16Array(this.cap)
    this.freeSlots = new Int32Array(this.cap)
    this.keyTable = new KeyTable(this.cap)
    this.records = new RecordArena(this.cap, opts.arenaBytes ?? 0)
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
    const pos = this.keyTable.find(this.encodeKey(key), this.scratchEquals)
    return pos === -1 ? -1 : this.keyTable.slotAt(pos)
  }

  set (key: string, entry: SessionEntry): void {
    if (entry.key !== key) throw new Error(`session index: entry for ${key} names ${entry.key}`)
    if (!uuidInto(entry.sessionId, this.idText, this.idBytes)) throw new Error(`session index: not a canonical sessionId: ${entry.sessionId}`)
    const slot = this.slotFor(this.encodeKey(key))
    const n = slot * N
    for (let i = 0; i < N; i++) this.nums[n + i] = entry[NUMBERS[i]!]
    this.ids.set(this.idBytes, slot * ID_BYTES)
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
    this.flags[slot] = flags | this.records.write(slot, entry, rest && JSON.stringify(rest))
  }

  /** `set` for a snapshot line `line` read from `src`: copies bytes, makes no string or object. */
  setLine (line: EntryLine, src: Buffer): void {
    const ks = line.strings[0]!
    const ke = line.strings[1]!
    if (ke - ks + 1 > this.scratch.length) this.scratch = Buffer.alloc((ke - ks) * 2)
    this.scratch[0] = 0
    this.scratchLen = copyBytes(src, ks, ke, this.scratch, 1)
    const slot = this.slotFor(hashBytes(this.scratch, 0, this.scratchLen))
    this.nums.set(line.numbers, slot * N)
    this.ids.set(line.sessionId, slot * ID_BYTES)
    let flags = LIVE
    if (line.bools[0]! >= 0) flags |= ARCHIVED_SET | (line.bools[0] === 1 ? ARCHIVED : 0)
    if (line.bools[1]! >= 0) flags |= PINNED_SET | (line.bools[1] === 1 ? PINNED : 0)
    this.flags[slot] = flags | this.records.writeLine(slot, line, src)
  }

  delete (key: string): boolean {
    const pos = this.keyTable.find(this.encodeKey(key), this.scratchEquals)
    if (pos === -1) return false
    const slot = this.keyTable.slotAt(pos)
    this.keyTable.removeAt(pos)
    this.records.free(slot)
    this.flags[slot] = 0
    this.freeSlots[this.freeCount++] = slot
    this.count -= 1
    return true
  }

  clear (): void {
    this.flags.fill(0)
    this.keyTable.clear()
    this.records.clear()
    this.count = this.limit = this.freeCount = 0
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
    this.records.read(slot)
    return this.records.field(0)!
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

  entryAt (slot: number): SessionEntry {
    const r = this.records
    r.read(slot)
    const key = r.field(0)!
    const n = slot * N
    const flags = this.flags[slot]!
    const e: Record<string, unknown> = { key, agentId: agentOfValidKey(key), sessionId: this.sessionIdAt(slot), createdAt: this.nums[n], updatedAt: this.nums[n + 1] }
    if (flags & STRING_BIT[2]) e.label = r.field(2)
    if (flags & STRING_BIT[3]) e.displayName = r.field(3)
    if (flags & HAS_REST) Object.assign(e, JSON.parse(r.field(REST)!))
    if (flags & ARCHIVED_SET) e.archived = (flags & ARCHIVED) !== 0
    if (flags & PINNED_SET) e.pinned = (flags & PINNED) !== 0
    for (let i = 2; i < N; i++) e[NUMBERS[i]!] = this.nums[n + i]
    if (flags & STRING_BIT[1]) e.lastMessagePreview = r.field(1)
    return e as unknown as SessionEntry
  }

  /** Case-insensitive substring match on key, label, display name and last message. */
  matches (slot: number, needle: Needle): boolean {
    return this.records.matches(slot, needle, (this.flags[slot]! & NON_ASCII) !== 0)
  }

  /** Arena figures, to watch compaction at work. */
  stats (): { slots: number, arenaBytes: number, arenaUsed: number, garbageBytes: number } {
    return { slots: this.cap, ...this.records.stats() }
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
          this.records.read(slot)
          return this.records.field(i)
        }
      }
    }
    if ((flags & HAS_REST) === 0) return undefined
    this.records.read(slot)
    return (JSON.parse(this.records.field(REST)!) as Record<string, unknown>)[field]
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

  /** The slot of the key in `scratch`, taking a free (or new) one when it is not there; its record is written next. */
  private slotFor (hash: number): number {
    const pos = this.keyTable.find(hash, this.scratchEquals)
    if (pos !== -1) return this.keyTable.slotAt(pos)
    let slot: number
    if (this.freeCount > 0) slot = this.freeSlots[--this.freeCount]!
    else {
      if (this.limit === this.cap) this.grow()
      slot = this.limit++
    }
    this.keyTable.insert(hash, slot, this.live)
    this.flags[slot] = LIVE
    this.count += 1
    return slot
  }

  private liveSlots (): Int32Array {
    const slots = new Int32Array(this.count)
    for (let s = 0, n = 0; s < this.limit; s++) if (this.isLive(s)) slots[n++] = s
    return slots
  }

  private grow (): void {
    const cap = this.cap * 2
    const widen = <T extends Float64Array | Int32Array | Uint16Array | Uint8Array>(old: T, next: T): T => {
      next.set(old)
      return next
    }
    this.nums = widen(this.nums, new Float64Array(cap * N))
    this.ids = widen(this.ids, new Uint8Array(cap * ID_BYTES))
    this.flags = widen(this.flags, new Uint16Array(cap))
    this.freeSlots = widen(this.freeSlots, new Int32Array(cap))
    this.keyTable.resize(cap)
    this.records.grow(cap)
    this.cap = cap
  }
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
