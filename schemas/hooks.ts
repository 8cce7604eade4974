// Webhook ingress bodies and answers (contract 4). Request bodies are closed
// like the rest of our protocol; the mapped route takes any JSON object.
import { Type, type Static } from '@sinclair/typebox'
import { Closed, NonEmptyString, StringEnum } from './common.js'

const WakeMode = StringEnum(['now', 'next-heartbeat'])

export const HookWakeBody = Closed({
  text: NonEmptyString,
  mode: Type.Optional(WakeMode),
  agentId: Type.Optional(NonEmptyString),
  sessionKey: Type.Optional(NonEmptyString)
}, { title: 'HookWakeBody' })
export type HookWakeBody = Static<typeof HookWakeBody>

export const HookWakeOk = Closed({
  ok: Type.Literal(true),
  mode: WakeMode,
  eventOutcome: StringEnum(['queued', 'coalesced']),
  runId: Type.Optional(Type.String())
})
export type HookWakeOk = Static<typeof HookWakeOk>

export const HookAgentBody = Closed({
  message: NonEmptyString,
  name: Type.Optional(Type.String({ maxLength: 200 })),
  agentId: Type.Optional(NonEmptyString),
  sessionKey: Type.Optional(NonEmptyString),
  sessionMode: Type.Optional(StringEnum(['isolated', 'persistent'])),
  idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  waitForCompletion: Type.Optional(Type.Boolean()),
  wakeMode: Type.Optional(WakeMode),
  deliver: Type.Optional(Type.Boolean()),
  // Accepted for OpenClaw callers; this gateway has no channels to deliver to.
  channel: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
  accountId: Type.Optional(Type.String()),
  model: Type.Optional(NonEmptyString),
  thinking: Type.Optional(Type.String()),
  timeoutSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 86_400 }))
}, { title: 'HookAgentBody' })
export type HookAgentBody = Static<typeof HookAgentBody>

export const HookCompletion = Closed({
  status: StringEnum(['ok', 'error', 'aborted', 'timeout']),
  replyDisposition: StringEnum(['visible', 'silent', 'empty']),
  delivered: Type.Boolean(),
  deliveryAttempted: Type.Boolean(),
  deliverySuppressionReason: Type.Optional(Type.String()),
  deliveryError: Type.Optional(Type.Literal('delivery-failed')),
  error: Type.Optional(Type.String()),
  /** The run's stable error code (the engine's catalogue, e.g. RUN_TIMEOUT); `error` is for people. */
  errorCode: Type.Optional(Type.String())
})
export type HookCompletion = Static<typeof HookCompletion>

export const HookAgentOk = Closed({
  ok: Type.Literal(true),
  runId: Type.String(),
  completion: Type.Optional(HookCompletion)
})
export type HookAgentOk = Static<typeof HookAgentOk>

/** `POST /hooks/<name>`: any JSON object; what a mapping reads from it is `{{payload.…}}`. */
export const HookMappedBody = Type.Record(Type.String(), Type.Unknown(), { title: 'HookMappedBody' })

/** A mapped delivery answers like the action it ran, plus the template fields it found missing. */
export const HookMappedOk = Closed({
  ok: Type.Literal(true),
  action: StringEnum(['agent', 'wake']),
  mapping: Type.String(),
  runId: Type.Optional(Type.String()),
  mode: Type.Optional(WakeMode),
  eventOutcome: Type.Optional(StringEnum(['queued', 'coalesced'])),
  completion: Type.Optional(HookCompletion),
  missingFields: Type.Optional(Type.Array(Type.String())),
  /** forEach: how many actions ran, their run ids, and the items past the 200 bound. */
  count: Type.Optional(Type.Integer({ minimum: 0 })),
  runIds: Type.Optional(Type.Array(Type.String())),
  dropped: Type.Optional(Type.Integer({ minimum: 0 }))
})
export type HookMappedOk = Static<typeof HookMappedOk>

export const HookError = Closed({
  ok: Type.Literal(false),
  error: Type.String(),
  runId: Type.Optional(Type.String())
})
export type HookError = Static<typeof HookError>

const Delivery = Closed({
  ts: Type.Integer({ minimum: 0 }),
  path: Type.String(),
  status: Type.Integer(),
  action: Type.Optional(StringEnum(['agent', 'wake'])),
  runId: Type.Optional(Type.String()),
  error: Type.Optional(Type.String())
})

/** `hooks.status` (operator.read) and, without `recent`, the `hooks` part of `health`. */
export const HooksStatus = Closed({
  enabled: Type.Boolean(),
  path: Type.String(),
  mappings: Type.Integer({ minimum: 0 }),
  deliveries: Type.Integer({ minimum: 0 }),
  failures: Type.Integer({ minimum: 0 }),
  authFailures: Type.Integer({ minimum: 0 }),
  recent: Type.Array(Delivery)
})
export type HooksStatus = Static<typeof HooksStatus>

export const HooksStatusParams = Closed({})
