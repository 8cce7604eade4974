// Params of the agent-run methods (contract 2.2). Closed, like OpenClaw's:
// every field real clients send is listed, the ones we do not act on included.
import { Type, type Static } from '@sinclair/typebox'
import { Closed, NonEmptyString, StringEnum } from '../common.js'

export const Attachment = Closed({
  type: Type.Optional(Type.String()),
  mimeType: Type.Optional(Type.String()),
  fileName: Type.Optional(Type.String()),
  origin: Type.Optional(StringEnum(['paste', 'file'])),
  content: Type.Optional(Type.Unknown()),
  sizeBytes: Type.Optional(Type.Integer({ minimum: 0 })),
  width: Type.Optional(Type.Integer({ minimum: 0 })),
  height: Type.Optional(Type.Integer({ minimum: 0 })),
  durationMs: Type.Optional(Type.Integer({ minimum: 0 }))
})
export type Attachment = Static<typeof Attachment>

const IdempotencyKey = Type.String({ minLength: 1, maxLength: 256 })
const OptString = Type.Optional(Type.String())

export const AgentParams = Closed({
  message: NonEmptyString,
  idempotencyKey: IdempotencyKey,
  agentId: OptString,
  sessionKey: OptString,
  sessionId: OptString,
  provider: OptString,
  model: OptString,
  thinking: OptString,
  timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
  deliver: Type.Optional(Type.Boolean()),
  to: OptString,
  replyTo: OptString,
  channel: OptString,
  replyChannel: OptString,
  accountId: OptString,
  replyAccountId: OptString,
  threadId: OptString,
  bestEffortDeliver: Type.Optional(Type.Boolean()),
  lane: OptString,
  cwd: OptString,
  attachments: Type.Optional(Type.Array(Attachment, { maxItems: 16 })),
  extraSystemPrompt: Type.Optional(Type.String({ maxLength: 100_000 })),
  promptMode: Type.Optional(StringEnum(['full', 'minimal', 'none'])),
  label: OptString
})
export type AgentParams = Static<typeof AgentParams>

export const AgentWaitParams = Closed({
  runId: NonEmptyString,
  timeoutMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600_000 }))
})

export const ChatSendParams = Closed({
  sessionKey: NonEmptyString,
  agentId: OptString,
  sessionId: OptString,
  message: Type.String(),
  idempotencyKey: IdempotencyKey,
  thinking: OptString,
  fastMode: Type.Optional(Type.Union([Type.Boolean(), Type.Literal('auto')])),
  queueMode: Type.Optional(StringEnum(['steer', 'followup', 'collect', 'interrupt'])),
  deliver: Type.Optional(Type.Boolean()),
  attachments: Type.Optional(Type.Array(Attachment, { maxItems: 16 })),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400_000 })),
  replyToId: OptString
})
export type ChatSendParams = Static<typeof ChatSendParams>

const HistoryLimit = Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 }))
// OpenClaw accepts any byte budget from 1 KiB and clamps it to its 6 MiB cap; so do we.
const HistoryMaxBytes = Type.Optional(Type.Integer({ minimum: 1024 }))

export const ChatHistoryParams = Closed({
  sessionKey: NonEmptyString,
  agentId: OptString,
  sessionId: OptString,
  limit: HistoryLimit,
  maxBytes: HistoryMaxBytes,
  maxChars: Type.Optional(Type.Integer({ minimum: 1, maximum: 500_000 }))
})
export type ChatHistoryParams = Static<typeof ChatHistoryParams>

/** History and chat metadata in one call: a session key, or a short chat link (which we never issue). */
export const ChatStartupParams = Type.Union([
  ChatHistoryParams,
  Closed({ shortId: NonEmptyString, slugHint: OptString, agentId: NonEmptyString, limit: HistoryLimit, maxBytes: HistoryMaxBytes })
])

export const ChatMetadataParams = Closed({
  agentId: OptString,
  sessionKey: Type.Optional(NonEmptyString),
  authProfileId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 }))
})

export const ChatAbortParams = Closed({
  sessionKey: NonEmptyString,
  agentId: OptString,
  runId: OptString,
  preserveSideRuns: Type.Optional(Type.Boolean())
})

export const ChatInjectParams = Closed({
  sessionKey: NonEmptyString,
  agentId: OptString,
  message: NonEmptyString,
  label: Type.Optional(Type.String({ maxLength: 100 }))
})

export const WakeParams = Closed({
  mode: StringEnum(['now', 'next-heartbeat']),
  text: NonEmptyString,
  sessionKey: OptString,
  agentId: OptString
})
