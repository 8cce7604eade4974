// In-process EventBus: publish fans out synchronously to the subscribers
// (the ws-rpc hub). Listener failures are isolated so one bad subscriber
// cannot stop delivery to the others.
import type { BusEvent, EventBus, PublishOptions } from './types.js'

const NO_OPTS: PublishOptions = Object.freeze({})

export function createLocalEventBus (onListenerError: (err: unknown, event: string) => void): EventBus {
  const listeners = new Map<(e: BusEvent) => void, (() => boolean) | undefined>()
  // `listening()` runs for every event of every run: a plain array of the
  // activity checks, rebuilt on (rare) subscription changes, spares it an iterator.
  let checks: Array<(() => boolean) | undefined> = []
  const rebuild = () => { checks = [...listeners.values()] }
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
      rebuild()
      return () => { listeners.delete(listener); rebuild() }
    },
    listening () {
      for (let i = 0; i < checks.length; i++) {
        const active = checks[i]
        if (active === undefined || active()) return true
      }
      return false
    }
  }
}
