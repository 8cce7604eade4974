// The whole config file (`openclaw.json`, JSON5) as one closed TypeBox schema.
// Key names follow OpenClaw's (spec decision 3); unknown keys are an error.
import { Type, type Static } from '@sinclair/typebox'
import { Closed, StringEnum } from './common.js'

export const SecretRef = Closed({
  source: StringEnum(['env', 'file', 'exec']),
  provider: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,63}$' }),
  id: Type.String({ minLength: 1, maxLength: 256 })
})
export type SecretRef = Static<typeof SecretRef>

/** A secret given inline (string, `${VAR}` already substituted) or by reference. */
export const SecretInput = Type.Union([Type.String(), SecretRef])
export type SecretInput = Static<typeof SecretInput>

/** A credential field: `sensitive` marks it for redaction in config.* replies and the schema's UI hints. */
const Secret = (title: string, description: string) =>
  Type.Union([Type.String(), SecretRef], { sensitive: true, title, description })

const RateLimit = Closed({
  maxAttempts: Type.Optional(Type.Integer({ minimum: 1 })),
  windowMs: Type.Optional(Type.Integer({ minimum: 1000 })),
  lockoutMs: Type.Optional(Type.Integer({ minimum: 0 })),
  exemptLoopback: Type.Optional(Type.Boolean())
}, { title: 'Failed-auth rate limit', description: 'maxAttempts failures within windowMs lock a client out for lockoutMs.' })

const GatewayAuth = Closed({
  mode: Type.Optional(StringEnum(['none', 'token', 'password'], { title: 'Auth mode', description: 'How clients authenticate: a shared token, a password, or none (loopback only). A change needs a restart.' })),
  token: Type.Optional(Secret('Gateway token', 'Shared secret clients send as auth.token or a Bearer header; rotating it applies live and closes sockets that used the old one.')),
  password: Type.Optional(Secret('Gateway password', 'Shared password for auth mode "password".')),
  rateLimit: Type.Optional(RateLimit)
}, { title: 'Authentication' })

const Endpoint = Closed({
  enabled: Type.Optional(Type.Boolean({ title: 'Enabled', description: 'Serve this OpenAI-compatible endpoint (default true); applies live.' })),
  images: Type.Optional(Closed({
    // Pass remote image URLs to the provider (the gateway never fetches them itself).
    allowUrl: Type.Optional(Type.Boolean()),
    maxBytes: Type.Optional(Type.Integer({ minimum: 1 }))
  }))
})

const ResponsesEndpoint = Closed({
  ...Endpoint.properties,
  store: Type.Optional(Closed({
    maxResponses: Type.Optional(Type.Integer({ minimum: 0, title: 'Max stored responses', description: 'The oldest are deleted past this count (default 10000); 0 stores nothing.' })),
    maxAgeSeconds: Type.Optional(Type.Integer({ minimum: 1, title: 'Max age (s)', description: 'Stored responses older than this are deleted (default 30 days).' }))
  }, { title: 'Stored responses', description: 'Responses kept under <stateDir>/responses for retrieval, previous_response_id and item_reference.' }))
})

const Gateway = Closed({
  mode: Type.Optional(StringEnum(['local', 'remote'], { title: 'Gateway mode', description: 'Must be "local" for this machine to run the gateway.' })),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, title: 'Port', description: 'WebSocket and HTTP port (default 18789); --port and OPENCLAW_GATEWAY_PORT win. A change needs a restart.' })),
  bind: Type.Optional(StringEnum(['loopback', 'lan', 'custom', 'tailnet', 'auto'], { title: 'Bind', description: 'Which interfaces to listen on (default loopback); beyond loopback an explicit secret is required. A change needs a restart.' })),
  customBindHost: Type.Optional(Type.String({ minLength: 1, title: 'Custom bind host', description: 'IP address for bind "custom".' })),
  publicOrigin: Type.Optional(Type.String({ pattern: '^https?://', title: 'Public origin', description: 'The https origin clients reach the gateway at.' })),
  auth: Type.Optional(GatewayAuth),
  reload: Type.Optional(Closed({
    mode: Type.Optional(StringEnum(['off', 'hot', 'restart', 'hybrid'], { title: 'Reload mode', description: 'hybrid (default): apply hot-safe edits live, restart in process for the rest; off: only SIGHUP and config writes over RPC reload.' })),
    debounceMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60000, title: 'Reload debounce (ms)' }))
  }, { title: 'Config reload' })),
  controlUi: Type.Optional(Closed({
    enabled: Type.Optional(Type.Boolean()),
    basePath: Type.Optional(Type.String({ pattern: '^(/[A-Za-z0-9._~-]+)*/?$' })),
    root: Type.Optional(Type.String({ minLength: 1 })),
    allowedOrigins: Type.Optional(Type.Array(Type.String())),
    dangerouslyAllowHostHeaderOriginFallback: Type.Optional(Type.Boolean())
  }, { title: 'Control UI' })),
  http: Type.Optional(Closed({
    endpoints: Type.Optional(Closed({
      chatCompletions: Type.Optional(Endpoint),
      responses: Type.Optional(ResponsesEndpoint),
      messages: Type.Optional(Closed({
        enabled: Type.Optional(Type.Boolean({ title: 'Enabled', description: 'Serve the Anthropic-compatible POST /v1/messages and /v1/messages/count_tokens (default true); applies live.' }))
      }, { title: 'Anthropic Messages endpoint' }))
    }, { title: 'OpenAI-compatible endpoints' })),
    models: Type.Optional(Closed({
      includeProviderModels: Type.Optional(Type.Boolean({ title: 'Include provider models', description: 'List the configured provider models as `provider/model` in GET /v1/models and accept them as `model` (default true).' }))
    }, { title: 'Model ids' })),
    cors: Type.Optional(Closed({ allowedOrigins: Type.Optional(Type.Array(Type.String())) })),
    securityHeaders: Type.Optional(Closed({
      strictTransportSecurity: Type.Optional(Type.Union([Type.String(), Type.Literal(false)]))
    }))
  }, { title: 'HTTP' })),
  tools: Type.Optional(Closed({
    deny: Type.Optional(Type.Array(Type.String())),
    allow: Type.Optional(Type.Array(Type.String()))
  }, { title: 'Tools over HTTP', description: 'Allow and deny lists for POST /tools/invoke.' })),
  trustedProxies: Type.Optional(Type.Array(Type.String(), { title: 'Trusted proxies', description: 'IPs/CIDRs whose X-Forwarded-For is believed. A change needs a restart.' })),
  remote: Type.Optional(Closed({
    url: Type.Optional(Type.String({ title: 'Remote gateway URL' })),
    token: Type.Optional(Secret('Remote gateway token', 'Token the CLI sends to a remote gateway (gateway.mode "remote").')),
    password: Type.Optional(Secret('Remote gateway password', 'Password the CLI sends to a remote gateway.'))
  }, { title: 'Remote gateway (client side)' }))
}, { title: 'Gateway', description: 'The gateway process: listener, auth, reload, Control UI and HTTP surfaces.' })

const ModelDef = Closed({
  id: Type.String({ minLength: 1 }),
  name: Type.Optional(Type.String()),
  contextWindow: Type.Optional(Type.Integer({ minimum: 1 })),
  maxTokens: Type.Optional(Type.Integer({ minimum: 1 })),
  input: Type.Optional(Type.Array(StringEnum(['text', 'image', 'audio', 'video', 'document']))),
  reasoning: Type.Optional(Type.Boolean())
})

export const ProviderApi = StringEnum(['openai-completions', 'openai-responses', 'anthropic-messages'], { title: 'Wire API', description: 'Which request format the provider speaks.' })

const Provider = Closed({
  baseUrl: Type.String({ pattern: '^https?://', title: 'Base URL', description: 'The provider API root, e.g. https://api.openai.com/v1.' }),
  apiKey: Type.Optional(Secret('API key', 'An inline key (environment references substituted) or a SecretRef { source, provider, id }.')),
  api: ProviderApi,
  headers: Type.Optional(Type.Record(Type.String(), Type.String(), { title: 'Extra headers', description: 'Sent with every request; Authorization and Cookie values are redacted like keys.' })),
  models: Type.Optional(Type.Array(ModelDef, { title: 'Models' }))
}, { title: 'Provider' })

const ModelRef = Type.String({ pattern: '^[^\\s/]+/.+$', description: 'provider/model' })
const ModelSelection = Type.Union([
  Type.String({ minLength: 1 }),
  Closed({ primary: Type.String({ minLength: 1 }), fallbacks: Type.Optional(Type.Array(Type.String({ minLength: 1 }))) })
], { title: 'Model', description: '"provider/model", or { primary, fallbacks } tried in order.' })

const AgentIdentity = Closed({
  name: Type.Optional(Type.String()),
  emoji: Type.Optional(Type.String()),
  avatar: Type.Optional(Type.String())
})

/** OpenClaw's heartbeat keys: a periodic turn on the agent's main session (docs/hooks.md). */
const Heartbeat = Closed({
  every: Type.Optional(Type.String({ pattern: '^\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)?$', title: 'Heartbeat interval', description: 'e.g. "30m", "1h"; "0m" turns heartbeats off (default 30m).' })),
  prompt: Type.Optional(Type.String({ title: 'Heartbeat prompt' })),
  target: Type.Optional(Type.String({ title: 'Heartbeat target', description: '"last" (default) or "none"; this gateway has no channels, replies stay in the session.' })),
  to: Type.Optional(Type.String()),
  session: Type.Optional(Type.String({ minLength: 1, title: 'Heartbeat session', description: 'Session key the heartbeat runs on (default the main session).' })),
  model: Type.Optional(Type.String({ minLength: 1 })),
  ackMaxChars: Type.Optional(Type.Integer({ minimum: 0, title: 'Ack max chars', description: 'A reply that is HEARTBEAT_OK plus at most this many characters is not delivered (default 300).' })),
  activeHours: Type.Optional(Closed({
    start: Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' }),
    end: Type.String({ pattern: '^(([01]\\d|2[0-3]):[0-5]\\d|24:00)$' }),
    timezone: Type.Optional(Type.String({ minLength: 1 }))
  }, { title: 'Active hours', description: 'Heartbeats run only between start and end (HH:MM) in timezone (IANA name, "local" or "user"; default local).' }))
}, { title: 'Heartbeat' })

const AgentEntry = Closed({
  name: Type.Optional(Type.String()),
  default: Type.Optional(Type.Boolean()),
  model: Type.Optional(ModelSelection),
  workspace: Type.Optional(Type.String()),
  timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
  identity: Type.Optional(AgentIdentity),
  heartbeat: Type.Optional(Heartbeat),
  tools: Type.Optional(Closed({
    allow: Type.Optional(Type.Array(Type.String())),
    deny: Type.Optional(Type.Array(Type.String()))
  }))
})

const AgentDefaults = Closed({
  model: Type.Optional(ModelSelection),
  models: Type.Optional(Type.Record(ModelRef, Closed({ alias: Type.Optional(Type.String()) }))),
  workspace: Type.Optional(Type.String()),
  timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
  maxSteps: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  maxConcurrent: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  mediaMaxMb: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  heartbeat: Type.Optional(Heartbeat)
}, { title: 'Agent defaults', description: 'What every agent uses unless its entry says otherwise.' })

const SecretProvider = Type.Union([
  Closed({ source: Type.Literal('env'), allowlist: Type.Optional(Type.Array(Type.String())) }),
  Closed({
    source: Type.Literal('file'),
    path: Type.String({ minLength: 1 }),
    mode: Type.Optional(StringEnum(['json', 'singleValue'])),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1 })),
    maxBytes: Type.Optional(Type.Integer({ minimum: 1 })),
    // Waives the private-file checks (mode, symlink, hard links) for this provider.
    allowInsecurePath: Type.Optional(Type.Boolean())
  }),
  Closed({
    source: Type.Literal('exec'),
    command: Type.String({ minLength: 1 }),
    args: Type.Optional(Type.Array(Type.String())),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1 })),
    // Variables the command gets besides PATH and HOME.
    passEnv: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }))),
    // Accepted for OpenClaw files; output is always the protocol JSON, whatever it says.
    jsonOnly: Type.Optional(Type.Boolean())
  })
])

/** One webhook mapping (`hooks.mappings[]`); plugins contribute more through `ctx.hooks.addMapping`. */
export const HookMapping = Closed({
  id: Type.Optional(Type.String()),
  match: Type.Optional(Closed({ path: Type.Optional(Type.String()), source: Type.Optional(Type.String()) })),
  action: Type.Optional(StringEnum(['agent', 'wake'])),
  agentId: Type.Optional(Type.String()),
  sessionKey: Type.Optional(Type.String()),
  messageTemplate: Type.Optional(Type.String()),
  textTemplate: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  model: Type.Optional(Type.String()),
  sessionMode: Type.Optional(StringEnum(['isolated', 'persistent'])),
  wakeMode: Type.Optional(StringEnum(['now', 'next-heartbeat'])),
  deliver: Type.Optional(Type.Boolean()),
  channel: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
  thinking: Type.Optional(Type.String()),
  timeoutSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  transform: Type.Optional(Closed({
    module: Type.String({ minLength: 1, description: 'An ES module inside hooks.transformsDir.' }),
    export: Type.Optional(Type.String({ minLength: 1, description: 'The function to call (default: default, then transform).' }))
  }, { title: 'Transform', description: 'A function of { payload, headers, path, query } returning fields that override the action, or null to drop the delivery.' })),
  forEach: Type.Optional(Type.String({ pattern: '^(?!__proto__$|prototype$|constructor$)[^.\\[\\]]+$', title: 'Fan out', description: 'A top-level payload array: one action per item (200 at most), each rendered with the array holding only that item.' }))
}, { title: 'Hook mapping', description: 'POST <hooks.path>/<name>: the first mapping whose match fits runs; {{payload.field}} fills the templates.' })
export type HookMapping = Static<typeof HookMapping>

const byteSize = (options: { title: string, description: string }) => Type.Union([
  Type.Integer({ minimum: 0 }),
  Type.String({ pattern: '^\\d+(\\.\\d+)?\\s*([kKmMgGtT]?[bB])?$' }),
  Type.Literal(false)
], options)

/** OpenClaw's `session.maintenance` keys (docs/sessions.md); set, it turns on the background pass. */
export const SessionMaintenance = Closed({
  mode: Type.Optional(StringEnum(['enforce', 'warn'], { title: 'Maintenance mode', description: '"enforce" (default) removes; "warn" only logs what a pass would remove.' })),
  pruneAfter: Type.Optional(Type.Union([Type.String({ pattern: '^\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w)$' }), Type.Literal(false)], { title: 'Prune after', description: 'Remove sessions idle this long, e.g. "30d" (default); false keeps them.' })),
  maxEntries: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Literal(false)], { title: 'Max sessions per agent', description: 'Keep the most recently active N (default 5000); false for no cap.' })),
  maxDiskBytes: Type.Optional(byteSize({ title: 'Disk budget per agent', description: 'e.g. "10gb" (default); 0 or false disables.' })),
  highWaterBytes: Type.Optional(byteSize({ title: 'Disk target after cleanup', description: 'Default 80% of maxDiskBytes.' }))
}, { title: 'Session maintenance', description: 'Retention of stored sessions; applies live.' })

export const GatewayConfig = Closed({
  $schema: Type.Optional(Type.String()),
  meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  gateway: Type.Optional(Gateway),
  models: Type.Optional(Closed({
    providers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }), Provider, { title: 'Providers', description: 'Model providers by id; models are addressed as <provider>/<model>.' }))
  }, { title: 'Models' })),
  agents: Type.Optional(Closed({
    defaults: Type.Optional(AgentDefaults),
    entries: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }), AgentEntry, { title: 'Agents', description: 'Agents by id.' }))
  }, { title: 'Agents' })),
  memory: Type.Optional(Closed({
    search: Type.Optional(Closed({ provider: Type.Optional(Type.String()), model: Type.Optional(Type.String()) }))
  })),
  tools: Type.Optional(Closed({
    exec: Type.Optional(Closed({ enabled: Type.Optional(Type.Boolean()), timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1 })) })),
    allow: Type.Optional(Type.Array(Type.String())),
    deny: Type.Optional(Type.Array(Type.String()))
  }, { title: 'Agent tools' })),
  hooks: Type.Optional(Closed({
    enabled: Type.Optional(Type.Boolean({ title: 'Hooks enabled', description: 'Serve webhooks at hooks.path; needs a non-empty hooks.token. Applies live.' })),
    token: Type.Optional(Type.String({ sensitive: true, title: 'Hooks token', description: 'Shared secret webhook callers send.' })),
    // "/" is refused: hooks would shadow every route. A change needs a restart.
    path: Type.Optional(Type.String({ pattern: '^/?[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*/?$', title: 'Hooks path', description: 'Base path (default /hooks). A change needs a restart.' })),
    allowedAgentIds: Type.Optional(Type.Array(Type.String())),
    defaultSessionKey: Type.Optional(Type.String()),
    allowRequestSessionKey: Type.Optional(Type.Boolean()),
    allowedSessionKeyPrefixes: Type.Optional(Type.Array(Type.String())),
    mappings: Type.Optional(Type.Array(HookMapping)),
    presets: Type.Optional(Type.Array(Type.String(), { title: 'Presets', description: 'Built-in mappings appended after hooks.mappings; only "gmail".' })),
    transformsDir: Type.Optional(Type.String({ title: 'Transforms dir', description: 'Where mapping transforms live, inside <config dir>/hooks/transforms (the default).' })),
    // Accepted for OpenClaw files, not implemented (a set value warns at start).
    gmail: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    internal: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
  }, { title: 'Webhooks' })),
  // Provider settings (paths, commands), not secret values: `sensitive: false` keeps the name rule off them.
  secrets: Type.Optional(Closed({
    providers: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,63}$' }), SecretProvider, { title: 'Secret providers', description: 'Where SecretRefs are resolved from: env, file or exec.' }))
  }, { sensitive: false, title: 'Secrets' })),
  logging: Type.Optional(Closed({
    level: Type.Optional(StringEnum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { title: 'Log level', description: 'File log level; applies live (OPENCLAW_LOG_LEVEL wins).' })),
    file: Type.Optional(Type.String({ minLength: 1, title: 'Log file' })),
    maxFileBytes: Type.Optional(Type.Integer({ minimum: 1024 })),
    redactSensitive: Type.Optional(StringEnum(['off', 'tools']))
  }, { title: 'Logging', description: 'Applies live.' })),
  plugins: Type.Optional(Closed({
    load: Type.Optional(Closed({ paths: Type.Optional(Type.Array(Type.String())) })),
    entries: Type.Optional(Type.Record(Type.String(), Closed({
      enabled: Type.Optional(Type.Boolean()),
      config: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
    })))
  }, { title: 'Plugins', description: 'Plugin modules to load and their settings (docs/plugins.md); a change reloads the plugins live.' })),
  channels: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { title: 'Channels' })),
  session: Type.Optional(Closed({ maintenance: Type.Optional(SessionMaintenance) }, { title: 'Sessions' })),
  env: Type.Optional(Closed({ vars: Type.Optional(Type.Record(Type.String(), Type.String({ sensitive: true }), { title: 'Environment variables' })) }))
})
export type GatewayConfig = Static<typeof GatewayConfig>
