// A reload that rotates the shared secret or narrows the origin policy applies
// to the sockets already open, not only to new ones.
import type { FastifyBaseLogger } from 'fastify'
import type { ConfigChange } from '../../src/config/store.js'
import type { ConnectionHub } from './hub.js'
import { checkBrowserOrigin } from './origin.js'

export function applyPolicyChange (connections: ConnectionHub, log: FastifyBaseLogger, { previous, next }: ConfigChange): void {
  const rotated = previous.auth.token !== next.auth.token || previous.auth.password !== next.auth.password || previous.auth.mode !== next.auth.mode
  if (rotated) {
    // On the next loop turn, so the request that rotated the secret (secrets.reload) gets its answer
    // first; new connections already need the new secret.
    setImmediate(() => {
      const n = connections.closeWhere((c) => c.authMethod !== 'token' && c.authMethod !== 'password', 4001, 'gateway auth changed')
      if (n > 0) log.info({ closed: n }, 'closed connections authenticated with the previous gateway secret')
    })
  }
  const ui = next.snapshot.config.gateway?.controlUi
  const policy = { allowedOrigins: ui?.allowedOrigins ?? [], allowHostHeaderFallback: ui?.dangerouslyAllowHostHeaderOriginFallback === true }
  connections.closeWhere((c) => c.peer.origin === undefined || checkBrowserOrigin(c.peer.origin, c.peer.host, c.peer.isLocal, policy).ok, 1008, 'origin not allowed')
}
