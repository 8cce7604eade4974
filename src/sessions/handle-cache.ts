/**
 * A bounded LRU of open transcript handles. Handles in use are pinned so eviction
 * never closes a file under a running write; the cache may briefly exceed its
 * bound while every slot is pinned and shrinks again on release.
 * Hand-written, not lru-cache: lru-cache evicts strictly at `max` and cannot skip pinned entries.
 */
import type { FileHandle } from 'node:fs/promises'

export interface OpenTranscript {
  handle: FileHandle
  /** Bytes known to be complete records; writes append here, failed writes truncate back to it. */
  size: number
}

export interface HandleCache {
  use<T>(file: string, open: () => Promise<OpenTranscript>, fn: (t: OpenTranscript) => Promise<T>): Promise<T>
  /** Closes and forgets a handle, e.g. before its file is renamed or after a failed write. */
  evict(file: string): Promise<void>
  closeAll(): Promise<void>
  readonly size: number
}

interface Slot {
  ready: Promise<OpenTranscript>
  refs: number
}

export function createHandleCache (maxOpen: number): HandleCache {
  const slots = new Map<string, Slot>()

  async function closeSlot (slot: Slot): Promise<void> {
    const t = await slot.ready.catch(() => undefined)
    await t?.handle.close().catch(() => undefined)
  }

  async function trim (): Promise<void> {
    const victims: Slot[] = []
    // Map iteration order is insertion order, and use() re-inserts, so the first idle slot is the LRU one.
    for (const [file, slot] of slots) {
      if (slots.size <= maxOpen) break
      if (slot.refs > 0) continue
      slots.delete(file)
      victims.push(slot)
    }
    await Promise.all(victims.map(closeSlot))
  }

  return {
    get size () {
      return slots.size
    },

    async use (file, open, fn) {
      let slot = slots.get(file)
      if (slot) {
        slots.delete(file)
      } else {
        slot = { ready: open(), refs: 0 }
      }
      slots.set(file, slot)
      slot.refs += 1
      const current = slot
      try {
        const t = await current.ready
        return await fn(t)
      } catch (err) {
        // A handle that failed to open must not be served to the next caller.
        if (await current.ready.then(() => false, () => true)) {
          if (slots.get(file) === current) slots.delete(file)
        }
        throw err
      } finally {
        current.refs -= 1
        await trim()
      }
    },

    async evict (file) {
      const slot = slots.get(file)
      if (!slot) return
      slots.delete(file)
      await closeSlot(slot)
    },

    async closeAll () {
      const all = [...slots.values()]
      slots.clear()
      await Promise.all(all.map(closeSlot))
    }
  }
}
