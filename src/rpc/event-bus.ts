// In-process EventBus: publish fans out synchronously to the subscribers
// (the ws-rpc hub). Listener failures are isolated so one bad subscriber
// cannot stop delivery to the others.
import type { BusEvent, EventBus, PublishOptions } from './types.js'

const NO_OPTS: PublishOptions = Object.freeze({})

export function createLocalEventBus (onListenerError: (err: unknown, event: string) => void): EventBus {
  const listeners = new Set<(e: BusEvent) => void>()
  return {
    publish (event, payload, opts) {
      const message: BusEvent = { event, payload, opts: opts ?? NO_OPTS }
      for (const listener of listeners) {
        try {
          listener(message)
        } catch (err) {
          onListenerError(err, event)
        }
      }
    },
    subscribe (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    }
  }
}
