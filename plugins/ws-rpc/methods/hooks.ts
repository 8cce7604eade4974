// `hooks.status` (operator.read): whether webhooks are on, where, and what came in.
import type { FastifyInstance } from 'fastify'
import { HooksStatus, HooksStatusParams } from '../../../schemas/hooks.js'
import { SCOPE_READ } from '../../../src/rpc/scopes.js'

export function registerHooksMethods (app: FastifyInstance, status: () => HooksStatus): void {
  app.rpc.register('hooks.status', {
    scope: SCOPE_READ,
    params: HooksStatusParams,
    result: HooksStatus,
    handler: async () => status()
  })
}
