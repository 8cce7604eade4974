// In-memory presence: one entry per device / instance / connection key, with a
// version counter that clients compare with snapshot.stateVersion.presence.
import type { PresenceEntry, PresenceStore } from './types.js'

export class MemoryPresenceStore implements PresenceStore {
  readonly #entries = new Map<string, PresenceEntry>()
  readonly #onChange: () => void
  #version = 0
  #list: PresenceEntry[] | undefined

  constructor (onChange: () => void = () => {}) {
    this.#onChange = onChange
  }

  get version (): number { return this.#version }

  upsert (key: string, entry: PresenceEntry): void {
    this.#entries.set(key, Object.freeze({ ...entry }))
    this.#changed()
  }

  remove (key: string): boolean {
    if (!this.#entries.delete(key)) return false
    this.#changed()
    return true
  }

  /** A shared, frozen array: callers must not mutate it. */
  list (): PresenceEntry[] {
    this.#list ??= Object.freeze([...this.#entries.values()]) as PresenceEntry[]
    return this.#list
  }

  #changed (): void {
    this.#version++
    this.#list = undefined
    this.#onChange()
  }
}
