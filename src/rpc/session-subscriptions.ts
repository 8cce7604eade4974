// Which sessions a connection watches: `sessions.subscribe` (clients with the
// `session-scoped-events` cap only receive session events for these keys) and
// `sessions.messages.subscribe` (the keys whose `session.message` events it gets).
import type { SessionSubscriptions } from './types.js'

export class SessionSubscriptionSet implements SessionSubscriptions {
  #all = false
  #keys: Set<string> | undefined
  #messageKeys: Set<string> | undefined

  subscribe (keys: readonly string[] | 'all'): void {
    if (keys === 'all') {
      this.#all = true
      return
    }
    this.#keys ??= new Set()
    for (const k of keys) this.#keys.add(k)
  }

  unsubscribe (keys: readonly string[] | 'all'): void {
    if (keys === 'all') {
      this.#all = false
      this.#keys = undefined
      return
    }
    for (const k of keys) this.#keys?.delete(k)
  }

  has (sessionKey: string): boolean {
    return this.#all || (this.#keys?.has(sessionKey) ?? false)
  }

  list (): string[] {
    return this.#all ? ['*'] : [...(this.#keys ?? [])].sort()
  }

  subscribeMessages (key: string): void {
    (this.#messageKeys ??= new Set()).add(key)
  }

  unsubscribeMessages (key: string): void {
    this.#messageKeys?.delete(key)
  }

  watchesMessages (key: string): boolean {
    return this.#messageKeys?.has(key) ?? false
  }
}
