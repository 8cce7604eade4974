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

const Port = Type.Integer({ minimum: 1, maximum: 65535 })

const RateLimit = Closed({
  maxAttempts: Type.Optional(Type.Integer({ minimum: 1 })),
  windowMs: Type.Optional(Type.Integer({ minimum: 1000 })),
  lockoutMs: Type.Optional(Type.Integer({ minimum: 0 })),
  exemptLoopback: Type.Optional(Type.Boolean())
})

const GatewayAuth = Closed({
  mode: Type.Optional(StringEnum(['none', 'token', 'password'])),
  token: Type.Optional(SecretInput),
  password: Type.Optional(SecretInput),
  rateLimit: Type.Optional(RateLimit)
})

const Endpoint = Closed({
  enabled: Type.Optional(Type.Boolean()),
  images: Type.Optional(Closed({
    // Pass remote image URLs to the provider (the gateway never fetches them itself).
    allowUrl: Type.Optional(Type.Boolean()),
    maxBytes: Type.Optional(Type.Integer({ minimum: 1 }))
  }))
})

const Gateway = Closed({
  mode: Type.Optional(StringEnum(['local', 'remote'])),
  port: Type.Optional(Port),
  bind: Type.Optional(StringEnum(['loopback', 'lan', 'custom', 'tailnet', 'auto'])),
  customBindHost: Type.Optional(Type.String({ minLength: 1 })),
  publicOrigin: Type.Optional(Type.String({ pattern: '^https?://' })),
  auth: Type.Optional(GatewayAuth),
  reload: Type.Optional(Closed({
    mode: Type.Optional(StringEnum(['off', 'hot', 'restart', 'hybrid'])),
    debounceMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60000 }))
  })),
  controlUi: Type.Optional(Closed({
    enabled: Type.Optional(Type.Boolean()),
    basePath: Type.Optional(Type.String({ pattern: '^(/[A-Za-z0-9._~-]+)*/?$' })),
    root: Type.Optional(Type.String({ minLength: 1 })),
    allowedOrigins: Type.Optional(Type.Array(Type.String())),
    dangerouslyAllowHostHeaderOriginFallback: Type.Optional(Type.Boolean())
  })),
  http: Type.Optional(Closed({
    endpoints: Type.Optional(Closed({
      chatCompletions: Type.Optional(Endpoint),
      responses: Type.Optional(Endpoint)
    })),
    cors: Type.Optional(Closed({ allowedOrigins: Type.Optional(Type.Array(Type.String())) })),
    securityHeaders: Type.Optional(Closed({
      strictTransportSecurity: Type.Optional(Type.Union([Type.String(), Type.Literal(false)]))
    }))
  })),
  tools: Type.Optional(Closed({
    deny: Type.Optional(Type.Array(Type.String())),
    allow: Type.Optional(Type.Array(Type.String()))
  })),
  trustedProxies: Type.Optional(Type.Array(Type.String())),
  remote: Type.Optional(Closed({
    url: Type.Optional(Type.String()),
    token: Type.Optional(SecretInput),
    password: Type.Optional(SecretInput)
  }))
})

const ModelDef = Closed({
  id: Type.String({ minLength: 1 }),
  name: Type.Optional(Type.String()),
  contextWindow: Type.Optional(Type.Integer({ minimum: 1 })),
  maxTokens: Type.Optional(Type.Integer({ minimum: 1 })),
  input: Type.Optional(Type.Array(StringEnum(['text', 'image', 'audio', 'video', 'document']))),
  reasoning: Type.Optional(Type.Boolean())
})

export const ProviderApi = StringEnum(['openai-completions', 'openai-responses', 'anthropic-messages'])

const Provider = Closed({
  baseUrl: Type.String({ pattern: '^https?://' }),
  apiKey: Type.Optional(SecretInput),
  api: ProviderApi,
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  models: Type.Optional(Type.Array(ModelDef))
})

const ModelRef = Type.String({ pattern: '^[^\\s/]+/.+$', description: 'provider/model' })
const ModelSelection = Type.Union([
  Type.String({ minLength: 1 }),
  Closed({ primary: Type.String({ minLength: 1 }), fallbacks: Type.Optional(Type.Array(Type.String({ minLength: 1 }))) })
])

const AgentIdentity = Closed({
  name: Type.Optional(Type.String()),
  emoji: Type.Optional(Type.String()),
  avatar: Type.Optional(Type.String())
})

const AgentEntry = Closed({
  name: Type.Optional(Type.String()),
  default: Type.Optional(Type.Boolean()),
  model: Type.Optional(ModelSelection),
  workspace: Type.Optional(Type.String()),
  timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
  identity: Type.Optional(AgentIdentity),
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
  mediaMaxMb: Type.Optional(Type.Number({ exclusiveMinimum: 0 }))
})

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

const HookMapping = Closed({
  id: Type.Optional(Type.String()),
  match: Type.Optional(Closed({ path: Type.Optional(Type.String()), source: Type.Optional(Type.String()) })),
  action: Type.Optional(StringEnum(['agent', 'wake'])),
  agentId: Type.Optional(Type.String()),
  sessionKey: Type.Optional(Type.String()),
  messageTemplate: Type.Optional(Type.String()),
  textTemplate: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  model: Type.Optional(Type.String())
})

export const GatewayConfig = Closed({
  $schema: Type.Optional(Type.String()),
  meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  gateway: Type.Optional(Gateway),
  models: Type.Optional(Closed({ providers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }), Provider)) })),
  agents: Type.Optional(Closed({
    defaults: Type.Optional(AgentDefaults),
    entries: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }), AgentEntry))
  })),
  memory: Type.Optional(Closed({
    search: Type.Optional(Closed({ provider: Type.Optional(Type.String()), model: Type.Optional(Type.String()) }))
  })),
  tools: Type.Optional(Closed({
    exec: Type.Optional(Closed({ enabled: Type.Optional(Type.Boolean()), timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1 })) })),
    allow: Type.Optional(Type.Array(Type.String())),
    deny: Type.Optional(Type.Array(Type.String()))
  })),
  hooks: Type.Optional(Closed({
    enabled: Type.Optional(Type.Boolean()),
    token: Type.Optional(Type.String()),
    path: Type.Optional(Type.String()),
    allowedAgentIds: Type.Optional(Type.Array(Type.String())),
    defaultSessionKey: Type.Optional(Type.String()),
    allowRequestSessionKey: Type.Optional(Type.Boolean()),
    allowedSessionKeyPrefixes: Type.Optional(Type.Array(Type.String())),
    mappings: Type.Optional(Type.Array(HookMapping))
  })),
  secrets: Type.Optional(Closed({
    providers: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,63}$' }), SecretProvider))
  })),
  logging: Type.Optional(Closed({
    level: Type.Optional(StringEnum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
    file: Type.Optional(Type.String({ minLength: 1 })),
    maxFileBytes: Type.Optional(Type.Integer({ minimum: 1024 })),
    redactSensitive: Type.Optional(StringEnum(['off', 'tools']))
  })),
  plugins: Type.Optional(Closed({
    load: Type.Optional(Closed({ paths: Type.Optional(Type.Array(Type.String())) })),
    entries: Type.Optional(Type.Record(Type.String(), Closed({
      enabled: Type.Optional(Type.Boolean()),
      config: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
    })))
  })),
  channels: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  env: Type.Optional(Closed({ vars: Type.Optional(Type.Record(Type.String(), Type.String())) }))
})
export type GatewayConfig = Static<typeof GatewayConfig>
