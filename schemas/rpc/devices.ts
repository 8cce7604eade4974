// device.pair.* methods and events (contract 1.3.6), shaped like OpenClaw's.
import { Type, type Static } from '@sinclair/typebox'
import { Closed, NonEmptyString } from '../common.js'

export { EmptyParams as DevicePairListParams } from './core.js'
export const DevicePairRequestParams = Closed({ requestId: NonEmptyString })
export type DevicePairRequestParams = Static<typeof DevicePairRequestParams>

/** What a pairing request and a paired device both record about the device. */
const DeviceFields = {
  deviceId: NonEmptyString,
  publicKey: NonEmptyString,
  displayName: Type.Optional(NonEmptyString),
  platform: Type.Optional(NonEmptyString),
  deviceFamily: Type.Optional(NonEmptyString),
  clientId: Type.Optional(NonEmptyString),
  clientMode: Type.Optional(NonEmptyString),
  role: Type.Optional(NonEmptyString),
  roles: Type.Optional(Type.Array(NonEmptyString)),
  scopes: Type.Optional(Type.Array(NonEmptyString)),
  remoteIp: Type.Optional(NonEmptyString)
}

export const PendingPairing = Closed({
  requestId: NonEmptyString,
  ...DeviceFields,
  silent: Type.Optional(Type.Boolean()),
  isRepair: Type.Optional(Type.Boolean()),
  ts: Type.Integer({ minimum: 0 })
})
export type PendingPairing = Static<typeof PendingPairing>

export const PairedDevice = Closed({
  ...DeviceFields,
  approvedScopes: Type.Optional(Type.Array(NonEmptyString)),
  createdAtMs: Type.Integer({ minimum: 0 }),
  approvedAtMs: Type.Integer({ minimum: 0 })
})
export type PairedDevice = Static<typeof PairedDevice>

export const DevicePairListResult = Closed({
  pending: Type.Array(PendingPairing),
  paired: Type.Array(PairedDevice)
})
export type DevicePairListResult = Static<typeof DevicePairListResult>

export const DevicePairApproveResult = Closed({ requestId: NonEmptyString, device: PairedDevice })
export const DevicePairRejectResult = Closed({ requestId: NonEmptyString, deviceId: NonEmptyString })
