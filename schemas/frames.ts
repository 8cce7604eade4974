// The WebSocket protocol v4 envelopes and handshake payloads (contract 1.2-1.3),
// as closed TypeBox schemas: what we accept from clients and what we emit.
import { Type, type Static } from '@sinclair/typebox'
import { Closed, NonEmptyString, StringEnum } from './common.js'

export const PROTOCOL_VERSION = 4
export const MIN_PROBE_PROTOCOL = 3

export const GATEWAY_CLIENT_IDS = [
  'webchat-ui', 'openclaw-control-ui', 'openclaw-browser-copilot', 'openclaw-tui', 'webchat', 'cli',
  'gateway-client', 'openclaw-macos', 'openclaw-linux', 'openclaw-ios', 'openclaw-watchos',
  'openclaw-android', 'node-host', 'openclaw-worker', 'test', 'fingerprint', 'openclaw-probe'
] as const

export const GATEWAY_CLIENT_MODES = ['webchat', 'cli', 'ui', 'backend', 'node', 'worker', 'probe', 'test'] as const

export const GatewayClientId = StringEnum(GATEWAY_CLIENT_IDS)
export const GatewayClientMode = StringEnum(GATEWAY_CLIENT_MODES)

export const ConnectClient = Closed({
  id: GatewayClientId,
  displayName: Type.Optional(NonEmptyString),
  version: NonEmptyString,
  buildId: Type.Optional(Type.String({ minLength: 1, maxLength: 96 })),
  platform: NonEmptyString,
  deviceFamily: Type.Optional(NonEmptyString),
  modelIdentifier: Type.Optional(NonEmptyString),
  timeZone: Type.Optional(Type.String({ maxLength: 64 })),
  mode: GatewayClientMode,
  instanceId: Type.Optional(NonEmptyString)
})
export type ConnectClient = Static<typeof ConnectClient>

export const DeviceProof = Closed({
  id: NonEmptyString,
  publicKey: NonEmptyString,
  signature: NonEmptyString,
  signedAt: Type.Integer({ minimum: 0 }),
  nonce: NonEmptyString
})
export type DeviceProof = Static<typeof DeviceProof>

// Each credential is optional here: the gateway's auth mode decides which one a connect needs.
export const ConnectAuth = Type.Partial(Closed({
  token: Type.String(),
  bootstrapToken: Type.String(),
  deviceToken: Type.String(),
  password: Type.String(),
  approvalRuntimeToken: Type.String(),
  agentRuntimeIdentityToken: Type.String()
}))

export const ConnectParams = Closed({
  minProtocol: Type.Integer({ minimum: 1 }),
  maxProtocol: Type.Integer({ minimum: 1 }),
  client: ConnectClient,
  caps: Type.Optional(Type.Array(NonEmptyString)),
  commands: Type.Optional(Type.Array(NonEmptyString)),
  permissions: Type.Optional(Type.Record(NonEmptyString, Type.Boolean())),
  pathEnv: Type.Optional(Type.String()),
  // A string here (not an enum) so an unknown role is reported as "invalid role", not a schema error.
  role: Type.Optional(NonEmptyString),
  scopes: Type.Optional(Type.Array(NonEmptyString)),
  modelCatalog: Type.Optional(Type.Union([
    Closed({ agentId: Type.Optional(NonEmptyString), sessionKey: Type.Optional(NonEmptyString) }),
    Closed({ agentId: Type.Optional(NonEmptyString), shortId: NonEmptyString, slugHint: Type.Optional(Type.String()) })
  ])),
  computerUse: Type.Optional(Type.Unknown()),
  workerRuns: Type.Optional(Type.Unknown()),
  device: Type.Optional(DeviceProof),
  auth: Type.Optional(ConnectAuth),
  locale: Type.Optional(Type.String()),
  userAgent: Type.Optional(Type.String())
})
export type ConnectParams = Static<typeof ConnectParams>

// The frame envelopes of protocol v4 (contract 1.2). `res`, `event` and `cancel` are written and read
// by hand on the hot path (src/rpc/frames.ts, ws-rpc/connection.ts): these are the wire they must keep.
export const ErrorShape = Closed({
  code: NonEmptyString,
  message: NonEmptyString,
  details: Type.Optional(Type.Unknown()),
  retryable: Type.Optional(Type.Boolean()),
  retryAfterMs: Type.Optional(Type.Integer({ minimum: 0 }))
})

export const RequestFrame = Closed({
  type: Type.Literal('req'),
  id: NonEmptyString,
  method: NonEmptyString,
  params: Type.Optional(Type.Unknown()),
  traceparent: Type.Optional(Type.String({ maxLength: 128 })),
  expectedProfileId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 }))
})
export type RequestFrame = Static<typeof RequestFrame>

export const CancelFrame = Closed({ type: Type.Literal('cancel'), id: NonEmptyString })

export const StateVersion = Closed({
  presence: Type.Integer({ minimum: 0 }),
  health: Type.Integer({ minimum: 0 })
})
export type StateVersion = Static<typeof StateVersion>

export const ResponseFrame = Closed({
  type: Type.Literal('res'),
  id: NonEmptyString,
  ok: Type.Boolean(),
  payload: Type.Optional(Type.Unknown()),
  error: Type.Optional(ErrorShape)
})

export const EventFrame = Closed({
  type: Type.Literal('event'),
  event: NonEmptyString,
  payload: Type.Optional(Type.Unknown()),
  seq: Type.Optional(Type.Integer({ minimum: 0 })),
  stateVersion: Type.Optional(StateVersion)
})

/** Presence as clients validate it (the fields shared by every protocol-4 release). */
export const PresenceEntry = Closed({
  host: Type.Optional(NonEmptyString),
  ip: Type.Optional(NonEmptyString),
  version: Type.Optional(NonEmptyString),
  platform: Type.Optional(NonEmptyString),
  deviceFamily: Type.Optional(NonEmptyString),
  modelIdentifier: Type.Optional(NonEmptyString),
  mode: Type.Optional(NonEmptyString),
  lastInputSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
  reason: Type.Optional(NonEmptyString),
  tags: Type.Optional(Type.Array(NonEmptyString)),
  text: Type.Optional(Type.String()),
  ts: Type.Integer({ minimum: 0 }),
  deviceId: Type.Optional(NonEmptyString),
  roles: Type.Optional(Type.Array(NonEmptyString)),
  scopes: Type.Optional(Type.Array(NonEmptyString)),
  instanceId: Type.Optional(NonEmptyString)
})
export type PresenceEntry = Static<typeof PresenceEntry>

const SessionSummary = Closed({
  path: Type.String(),
  count: Type.Integer({ minimum: 0 }),
  recent: Type.Array(Closed({
    key: Type.String(),
    updatedAt: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    age: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])
  }))
})

export const EventLoopHealth = Closed({
  degraded: Type.Boolean(),
  reasons: Type.Array(StringEnum(['event_loop_delay', 'event_loop_utilization', 'cpu'])),
  intervalMs: Type.Number({ minimum: 0 }),
  delayP99Ms: Type.Number({ minimum: 0 }),
  delayMaxMs: Type.Number({ minimum: 0 }),
  utilization: Type.Number({ minimum: 0 }),
  cpuCoreRatio: Type.Number({ minimum: 0 })
})
export type EventLoopHealth = Static<typeof EventLoopHealth>

const AgentHealth = Closed({
  agentId: Type.String(),
  name: Type.Optional(Type.String()),
  isDefault: Type.Boolean(),
  heartbeat: Closed({
    enabled: Type.Boolean(),
    every: Type.String(),
    everyMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    prompt: Type.String(),
    target: Type.String(),
    model: Type.Optional(Type.String()),
    ackMaxChars: Type.Integer({ minimum: 0 })
  }),
  sessions: SessionSummary
})

/** Webhook ingress (plugins/hooks): on or off, where, and what came in since start. */
const HooksHealth = Closed({
  enabled: Type.Boolean(),
  path: Type.String(),
  mappings: Type.Integer({ minimum: 0 }),
  deliveries: Type.Integer({ minimum: 0 }),
  failures: Type.Integer({ minimum: 0 }),
  authFailures: Type.Integer({ minimum: 0 })
})

/** Contract 1.3 HealthSnapshot: closed, every key optional. */
export const HealthSnapshot = Closed({
  ok: Type.Optional(Type.Literal(true)),
  ts: Type.Optional(Type.Integer({ minimum: 0 })),
  durationMs: Type.Optional(Type.Integer({ minimum: 0 })),
  eventLoop: Type.Optional(EventLoopHealth),
  plugins: Type.Optional(Closed({
    loaded: Type.Array(Type.String()),
    errors: Type.Array(Closed({
      id: Type.String(),
      origin: Type.String(),
      activated: Type.Boolean(),
      error: Type.String()
    })),
    // What each active plugin's health contributors report, by plugin id.
    status: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown())))
  })),
  // lastError*: the last config edit that could not be applied (cleared by the next good load).
  configReload: Type.Optional(Closed({
    hotReloadStatus: StringEnum(['active', 'disabled']),
    lastError: Type.Optional(Type.String()),
    lastErrorAt: Type.Optional(Type.Integer({ minimum: 0 }))
  })),
  // degraded: the last secret resolution failed and the previous values are still in use.
  secrets: Type.Optional(Closed({
    status: StringEnum(['ok', 'degraded']),
    lastError: Type.Optional(Type.String()),
    lastErrorAt: Type.Optional(Type.Integer({ minimum: 0 }))
  })),
  channels: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  channelOrder: Type.Optional(Type.Array(Type.String())),
  channelLabels: Type.Optional(Type.Record(Type.String(), Type.String())),
  heartbeatSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
  defaultAgentId: Type.Optional(Type.String()),
  agents: Type.Optional(Type.Array(AgentHealth)),
  sessions: Type.Optional(SessionSummary),
  hooks: Type.Optional(HooksHealth)
})
export type HealthSnapshot = Static<typeof HealthSnapshot>

export const SessionDefaults = Closed({
  defaultAgentId: NonEmptyString,
  mainKey: NonEmptyString,
  mainSessionKey: NonEmptyString,
  scope: Type.Optional(NonEmptyString)
})
export type SessionDefaults = Static<typeof SessionDefaults>

export const Snapshot = Closed({
  presence: Type.Array(PresenceEntry),
  health: HealthSnapshot,
  stateVersion: StateVersion,
  uptimeMs: Type.Integer({ minimum: 0 }),
  configPath: Type.Optional(NonEmptyString),
  stateDir: Type.Optional(NonEmptyString),
  sessionDefaults: Type.Optional(SessionDefaults),
  authMode: Type.Optional(StringEnum(['none', 'token', 'password', 'trusted-proxy'])),
  appliedConfigHash: Type.Optional(Type.String())
})
export type Snapshot = Static<typeof Snapshot>

export const HelloOk = Closed({
  type: Type.Literal('hello-ok'),
  protocol: Type.Integer({ minimum: 1 }),
  server: Closed({ version: NonEmptyString, connId: NonEmptyString }),
  features: Closed({
    methods: Type.Array(NonEmptyString),
    events: Type.Array(NonEmptyString)
  }),
  snapshot: Snapshot,
  auth: Closed({
    method: Type.Optional(StringEnum(['none', 'token', 'password'])),
    role: NonEmptyString,
    scopes: Type.Array(NonEmptyString)
  }),
  policy: Closed({
    maxPayload: Type.Integer({ minimum: 1 }),
    maxBufferedBytes: Type.Integer({ minimum: 1 }),
    tickIntervalMs: Type.Integer({ minimum: 1 })
  })
})
export type HelloOk = Static<typeof HelloOk>
