// Notices a client that goes away mid-response without a listener per
// request: one `close` listener per connection, added when it arrives, and a
// note of which response the connection is carrying now. (A `close` listener
// on every response cost ~10 µs per request under load, measured.)
// With HTTP/1.1 pipelining only the newest response on a connection is
// watched; earlier ones finish and write into the closed socket, harmlessly.
import type { Server } from 'node:http'
import type { Socket } from 'node:net'

export interface DisconnectWatch {
  /** Calls `onGone` if the connection closes before the returned release is called. */
  watch: (socket: Socket | null, onGone: () => void) => () => void
}

const NOTHING = () => {}

export function watchDisconnects (server: Server): DisconnectWatch {
  // Released entries are overwritten with NOTHING rather than deleted: an
  // entry per connection, set in place, and no table churn per request
  // (see src/linked-list.ts for what churn costs the GC).
  const carrying = new WeakMap<Socket, () => void>()
  server.on('connection', (socket: Socket) => {
    carrying.set(socket, NOTHING)
    socket.once('close', () => {
      const gone = carrying.get(socket)
      carrying.set(socket, NOTHING)
      gone?.()
    })
  })
  return {
    watch (socket, onGone) {
      if (socket === null) return NOTHING
      if (socket.destroyed) { onGone(); return NOTHING }
      carrying.set(socket, onGone)
      return () => { if (carrying.get(socket) === onGone) carrying.set(socket, NOTHING) }
    }
  }
}
