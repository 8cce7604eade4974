// Params and results of the core control-plane methods (contract 2.2). Params
// are closed objects; results are closed where clients validate them.
import { Type, type Static } from '@sinclair/typebox'
import { Closed, NonEmptyString } from '../common.js'
import { PresenceEntry } from '../frames.js'

export const EmptyParams = Closed({})

export const HealthParams = Closed({ probe: Type.Optional(Type.Boolean()) })
export type HealthParams = Static<typeof HealthParams>

export const SystemPresenceResult = Type.Array(PresenceEntry)

export const LogsTailParams = Closed({
  cursor: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  maxBytes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 }))
})
export type LogsTailParams = Static<typeof LogsTailParams>

export const LogsTailResult = Closed({
  file: NonEmptyString,
  cursor: Type.Integer({ minimum: 0 }),
  size: Type.Integer({ minimum: 0 }),
  lines: Type.Array(Type.String()),
  truncated: Type.Optional(Type.Boolean()),
  reset: Type.Optional(Type.Boolean()),
  skippedBytes: Type.Optional(Type.Integer({ minimum: 0 }))
})
export type LogsTailResult = Static<typeof LogsTailResult>

export const GatewayIdentity = Closed({
  bootId: NonEmptyString,
  version: NonEmptyString,
  host: NonEmptyString,
  platform: NonEmptyString,
  startedAt: Type.Integer({ minimum: 0 }),
  protocol: Type.Integer({ minimum: 1 })
})
export type GatewayIdentity = Static<typeof GatewayIdentity>

export const SystemInfo = Closed({
  os: Closed({ platform: Type.String(), release: Type.String(), arch: Type.String(), hostname: Type.String() }),
  node: Type.String(),
  pid: Type.Integer({ minimum: 0 }),
  cpus: Type.Integer({ minimum: 0 }),
  memory: Closed({
    totalBytes: Type.Integer({ minimum: 0 }),
    freeBytes: Type.Integer({ minimum: 0 }),
    rssBytes: Type.Integer({ minimum: 0 }),
    heapUsedBytes: Type.Integer({ minimum: 0 })
  }),
  uptimeMs: Type.Integer({ minimum: 0 }),
  processUptimeMs: Type.Integer({ minimum: 0 })
})
export type SystemInfo = Static<typeof SystemInfo>

/** `status` stays an open object: extenders (sessions, agents) add their own keys. */
export const StatusResult = Type.Object({
  gateway: Closed({
    version: NonEmptyString,
    bootId: NonEmptyString,
    uptimeMs: Type.Integer({ minimum: 0 }),
    bind: Type.String(),
    host: Type.String(),
    port: Type.Integer({ minimum: 0 }),
    authMode: Type.String()
  }),
  connections: Closed({ count: Type.Integer({ minimum: 0 }) })
}, { additionalProperties: true })
