// `last-heartbeat` (read), `set-heartbeats` (admin) and the `heartbeat` event.
import { Type, type Static } from '@sinclair/typebox'
import { Closed, Nullable, StringEnum } from '../common.js'

export const HeartbeatEvent = Closed({
  ts: Type.Integer({ minimum: 0 }),
  status: StringEnum(['sent', 'ok-empty', 'ok-token', 'skipped', 'failed']),
  agentId: Type.String(),
  sessionKey: Type.String(),
  preview: Type.Optional(Type.String()),
  durationMs: Type.Optional(Type.Integer({ minimum: 0 })),
  reason: Type.Optional(Type.String())
})
export type HeartbeatEvent = Static<typeof HeartbeatEvent>

export const LastHeartbeatParams = Closed({})
export const LastHeartbeatResult = Nullable(HeartbeatEvent)

export const SetHeartbeatsParams = Closed({ enabled: Type.Boolean() })
export const SetHeartbeatsResult = Closed({ ok: Type.Literal(true), enabled: Type.Boolean() })
