// device.pair.list / approve / reject (operator.pairing). Approving or
// rejecting publishes device.pair.resolved through the pairing service.
import type { FastifyInstance } from 'fastify'
import { DevicePairApproveResult, DevicePairListParams, DevicePairListResult, DevicePairRejectResult, DevicePairRequestParams, type PairedDevice, type PendingPairing } from '../../../schemas/rpc/devices.js'
import type { DevicePairing } from '../../../src/devices/pairing.js'
import { RpcError } from '../../../src/errors/index.js'
import { SCOPE_PAIRING } from '../../../src/rpc/scopes.js'

/** What approving or rejecting a request resolved; a requestId we do not hold is the caller's mistake. */
async function found<T> (resolved: Promise<T | undefined>): Promise<T> {
  const result = await resolved
  if (result === undefined) throw new RpcError('INVALID_REQUEST', 'unknown requestId')
  return result
}

export function registerDevicePairMethods (app: FastifyInstance, pairing: DevicePairing): void {
  app.rpc.register('device.pair.list', {
    scope: SCOPE_PAIRING,
    params: DevicePairListParams,
    result: DevicePairListResult,
    handler: async () => {
      await pairing.store.ready()
      const { pending, paired } = pairing.store.list()
      return { pending: pending.map(publicPending), paired: paired.map(publicPaired) }
    }
  })

  app.rpc.register('device.pair.approve', {
    scope: SCOPE_PAIRING,
    params: DevicePairRequestParams,
    result: DevicePairApproveResult,
    handler: async ({ requestId }) => {
      const { device } = await found(pairing.approve(requestId))
      return { requestId, device: publicPaired(device) }
    }
  })

  app.rpc.register('device.pair.reject', {
    scope: SCOPE_PAIRING,
    params: DevicePairRequestParams,
    result: DevicePairRejectResult,
    handler: async ({ requestId }) => await found(pairing.reject(requestId))
  })
}

const PAIRED_KEYS = ['deviceId', 'publicKey', 'displayName', 'platform', 'deviceFamily', 'clientId', 'clientMode', 'role', 'roles', 'scopes', 'approvedScopes', 'remoteIp', 'createdAtMs', 'approvedAtMs'] as const
const PENDING_KEYS = ['requestId', 'deviceId', 'publicKey', 'displayName', 'platform', 'deviceFamily', 'clientId', 'clientMode', 'role', 'roles', 'scopes', 'remoteIp', 'silent', 'isRepair', 'ts'] as const

/** Records written by OpenClaw may carry device tokens: never hand those out. */
export function publicPaired (d: PairedDevice): PairedDevice {
  return pick(d, PAIRED_KEYS) as PairedDevice
}

export function publicPending (p: PendingPairing): PendingPairing {
  return pick(p, PENDING_KEYS) as PendingPairing
}

function pick (value: object, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k]
    if (v !== undefined) out[k] = v
  }
  return out
}
