// channels.* (OpenClaw's shapes): status with per-account snapshots, start /
// stop / logout of one account, and DM pairing requests (list, approve).
import { Type, type Static } from '@sinclair/typebox'
import { Closed, NonEmptyString } from '../common.js'

const Ts = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])

export const ChannelsStatusParams = Closed({
  probe: Type.Optional(Type.Boolean()),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 0 })),
  channel: Type.Optional(NonEmptyString)
})

/** Open for channel-specific facts (OpenClaw's schema is too); the known fields are typed. */
export const ChannelAccountSnapshot = Type.Object({
  accountId: NonEmptyString,
  name: Type.Optional(Type.String()),
  enabled: Type.Optional(Type.Boolean()),
  configured: Type.Optional(Type.Boolean()),
  running: Type.Optional(Type.Boolean()),
  connected: Type.Optional(Type.Boolean()),
  lastConnectedAt: Type.Optional(Ts),
  lastError: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  lastStartAt: Type.Optional(Ts),
  lastStopAt: Type.Optional(Ts),
  lastInboundAt: Type.Optional(Ts),
  lastOutboundAt: Type.Optional(Ts),
  lastProbeAt: Type.Optional(Ts),
  busy: Type.Optional(Type.Boolean()),
  activeRuns: Type.Optional(Type.Integer({ minimum: 0 })),
  mode: Type.Optional(Type.String()),
  dmPolicy: Type.Optional(Type.String()),
  allowFrom: Type.Optional(Type.Array(Type.String())),
  tokenSource: Type.Optional(Type.String()),
  probe: Type.Optional(Type.Unknown())
}, { additionalProperties: true })
export type ChannelAccountSnapshot = Static<typeof ChannelAccountSnapshot>

export const ChannelsStatusResult = Closed({
  ts: Type.Integer({ minimum: 0 }),
  channelOrder: Type.Array(NonEmptyString),
  channelLabels: Type.Record(NonEmptyString, NonEmptyString),
  channels: Type.Record(NonEmptyString, Type.Unknown()),
  channelAccounts: Type.Record(NonEmptyString, Type.Array(ChannelAccountSnapshot)),
  channelDefaultAccountId: Type.Record(NonEmptyString, NonEmptyString)
})
export type ChannelsStatusResult = Static<typeof ChannelsStatusResult>

export const ChannelAccountParams = Closed({ channel: NonEmptyString, accountId: Type.Optional(Type.String()) })

export const ChannelsStartResult = Closed({ channel: NonEmptyString, accountId: NonEmptyString, started: Type.Boolean() })
export const ChannelsStopResult = Closed({ channel: NonEmptyString, accountId: NonEmptyString, stopped: Type.Boolean() })
export const ChannelsLogoutResult = Closed({ channel: NonEmptyString, accountId: NonEmptyString, cleared: Type.Boolean(), loggedOut: Type.Boolean() })

export const ChannelsPairingListParams = Closed({ channel: Type.Optional(NonEmptyString), accountId: Type.Optional(NonEmptyString) })

const PairingAccount = Closed({ channel: NonEmptyString, channelLabel: NonEmptyString, accountId: NonEmptyString, notifySupported: Type.Boolean() })
const PairingRequest = Closed({
  requestId: NonEmptyString,
  channel: NonEmptyString,
  channelLabel: NonEmptyString,
  accountId: NonEmptyString,
  senderId: NonEmptyString,
  senderLabel: NonEmptyString,
  createdAt: NonEmptyString,
  lastSeenAt: NonEmptyString,
  expiresAt: NonEmptyString,
  notifySupported: Type.Boolean()
})
export type PairingRequestInfo = Static<typeof PairingRequest>

export const ChannelsPairingListResult = Closed({
  accounts: Type.Array(PairingAccount),
  requests: Type.Array(PairingRequest),
  commandOwnerConfigured: Type.Boolean(),
  limits: Closed({ pendingPerAccount: Type.Integer({ minimum: 0 }), ttlMs: Type.Integer({ minimum: 0 }) })
})

export const ChannelsPairingApproveParams = Closed({
  channel: NonEmptyString,
  accountId: NonEmptyString,
  /** The pairing code the peer was sent. */
  requestId: NonEmptyString,
  notify: Type.Optional(Type.Boolean()),
  bootstrapCommandOwner: Type.Optional(Type.Boolean())
})

export const ChannelsPairingDismissParams = Closed({ channel: NonEmptyString, accountId: NonEmptyString, requestId: NonEmptyString })
export const ChannelsPairingDismissResult = Closed({ requestId: NonEmptyString, senderId: NonEmptyString })

export const ChannelsPairingApproveResult = Closed({
  requestId: NonEmptyString,
  senderId: NonEmptyString,
  notification: Type.Union([Type.Literal('not-requested'), Type.Literal('sent'), Type.Literal('unsupported'), Type.Literal('failed')]),
  commandOwnerBootstrap: Type.Union([Type.Literal('not-requested'), Type.Literal('configured'), Type.Literal('already-configured'), Type.Literal('unavailable')])
})
