/**
 * Open-addressing hash table from key bytes to index slot, in one Int32Array
 * (linear probing, load at most 1/2 counting tombstones): no JS string or Map
 * entry per session. The index compares the bytes; this file only probes.
 */

const EMPTY = 0
const TOMBSTONE = -1

/** Does `slot` hold the key whose bytes are being looked up? */
export type SlotEquals = (slot: number) => boolean

export class KeyTable {
  private table = new Int32Array(16)
  private filled = 0
  /** Each slot's key hash, so probing compares bytes only on a hash match and rehashing reads no key. */
  hashes: Uint32Array

  constructor (slots: number) {
    this.hashes = new Uint32Array(slots)
    this.table = new Int32Array(sizeFor(slots))
  }

  /** Position in the table of the slot holding the key, or -1. */
  find (hash: number, equals: SlotEquals): number {
    const mask = this.table.length - 1
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const v = this.table[i]!
      if (v === EMPTY) return -1
      if (v > 0 && this.hashes[v - 1] === hash && equals(v - 1)) return i
    }
  }

  slotAt (pos: number): number {
    return this.table[pos]! - 1
  }

  /** Adds a slot known not to be present; `live` lists the others when the table must grow. */
  insert (hash: number, slot: number, live: () => Iterable<number>): void {
    if ((this.filled + 1) * 2 > this.table.length) this.rehash(live())
    this.hashes[slot] = hash
    const mask = this.table.length - 1
    let i = hash & mask
    while (this.table[i]! > 0) i = (i + 1) & mask
    if (this.table[i] === EMPTY) this.filled += 1
    this.table[i] = slot + 1
  }

  removeAt (pos: number): void {
    this.table[pos] = TOMBSTONE
  }

  /** The slot columns grew: keep the hashes. */
  resize (slots: number): void {
    const hashes = new Uint32Array(slots)
    hashes.set(this.hashes)
    this.hashes = hashes
  }

  clear (): void {
    this.table.fill(EMPTY)
    this.filled = 0
  }

  /** Rebuilt without tombstones, sized for twice the live slots (so it refills no sooner than it must). */
  private rehash (live: Iterable<number>): void {
    const slots = [...live]
    const table = new Int32Array(sizeFor(Math.max(16, slots.length * 2)))
    const mask = table.length - 1
    for (const s of slots) {
      let i = this.hashes[s]! & mask
      while (table[i] !== EMPTY) i = (i + 1) & mask
      table[i] = s + 1
    }
    this.table = table
    this.filled = slots.length
  }
}

function sizeFor (slots: number): number {
  let size = 16
  while (size < slots * 2) size *= 2
  return size
}

/** FNV-1a over bytes [start, end). */
export function hashBytes (buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193)
  return h >>> 0
}
