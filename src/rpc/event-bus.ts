// In-process EventBus: publish fans out synchronously to the subscribers
// (the ws-rpc hub). Listener failures are isolated so one bad subscriber
// cannot stop delivery to the others.
import type { BusEvent, EventBus, PublishOptions } from './types.js'

const NO_OPTS: PublishOptions = Object.freeze({})

export function createLocalEventBus (onListenerError: (err: unknown, event: string) => void): EventBus {
  const listeners = new Map<(e: BusEvent) => void, (() => boolean) | undefined>()
  return {
    publish (event, payload, opts) {
      const message: BusEvent = { event, payload, opts: opts ?? NO_OPTS }
      for (const listener of listeners.keys()) {
        try {
          listener(message)
        } catch (err) {
          onListenerError(err, event)
        }
      }
    },
    subscribe (listener, opts) {
      listeners.set(listener, opts?.active)
      return () => { listeners.delete(listener) }
    },
    listening () {
      for (const active of listeners.values()) if (active === undefined || active()) return true
      return false
    }
  }
}
