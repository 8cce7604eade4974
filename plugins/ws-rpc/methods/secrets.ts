// secrets.reload (contract 6.4): resolve every SecretRef again and swap them in
// whole; a failure keeps the last good values (health shows them degraded).
import type { FastifyInstance } from 'fastify'
import { RpcError } from '../../../src/errors/index.js'
import { SCOPE_ADMIN } from '../../../src/rpc/scopes.js'
import { EmptyParams } from '../../../schemas/rpc/core.js'

export function registerSecretsMethods (app: FastifyInstance): void {
  app.rpc.register('secrets.reload', {
    scope: SCOPE_ADMIN,
    params: EmptyParams,
    handler: async () => {
      try {
        return { ok: true, ...await app.configReload.reloadSecrets() }
      } catch (err) {
        throw new RpcError('UNAVAILABLE', 'secrets.reload failed', { details: { reason: (err as Error).message } })
      }
    }
  })
}
