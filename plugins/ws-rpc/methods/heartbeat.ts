// `last-heartbeat` (operator.read) and `set-heartbeats` (operator.admin: turn
// every agent's heartbeat timer off or back on until the next start).
import type { FastifyInstance } from 'fastify'
import { LastHeartbeatParams, LastHeartbeatResult, SetHeartbeatsParams, SetHeartbeatsResult } from '../../../schemas/rpc/heartbeat.js'
import type { HeartbeatRunner } from '../../../src/agents/heartbeat-runner.js'
import { SCOPE_ADMIN, SCOPE_READ } from '../../../src/rpc/scopes.js'

export function registerHeartbeatMethods (app: FastifyInstance, runner: HeartbeatRunner): void {
  app.rpc.register('last-heartbeat', {
    scope: SCOPE_READ,
    params: LastHeartbeatParams,
    result: LastHeartbeatResult,
    handler: async () => runner.lastEvent()
  })
  app.rpc.register('set-heartbeats', {
    scope: SCOPE_ADMIN,
    params: SetHeartbeatsParams,
    result: SetHeartbeatsResult,
    handler: async ({ enabled }) => {
      runner.setEnabled(enabled)
      return { ok: true as const, enabled: runner.isEnabled }
    }
  })
}
