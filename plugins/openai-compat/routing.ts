// Contract 3.2: agent-target model ids, the routing headers and the session
// a request runs in. Everything here validates caller input and throws the
// contract's 400s; nothing touches the engine beyond reading its catalogue.
import { randomUUID } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { AgentCatalog, AgentInfo } from '../../src/agents/catalog.js'
import { grantsAdmin, type HttpGrant } from '../../src/auth/http-scopes.js'
import { ERR_MISSING_SCOPE } from '../../src/errors/index.js'
import { SCOPE_ADMIN } from '../../src/rpc/scopes.js'
import type { GatewayConfig } from '../../schemas/config.js'
import { invalidRequest, notFound } from './errors.js'

const AGENT_ID = '[a-z0-9][a-z0-9_-]{0,63}'
const TARGET = new RegExp(`^(?:openclaw|openclaw/default|(?:openclaw[/:]|agent:)(${AGENT_ID}))$`, 'i')
const RESERVED_NAMESPACES = ['subagent:', 'cron:', 'acp:']
const MAX_SESSION_KEY = 512
// Session keys are single-line text; the store's key pattern refuses line breaks.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/

export const INVALID_MODEL = 'Invalid `model`. Use `openclaw` or `openclaw/<agentId>`.'

export type TargetParse = { ok: true, agentId: string | undefined } | { ok: false }

/** `openclaw`, `openclaw/default` → the default agent (undefined); `openclaw/<id>`, `openclaw:<id>`, `agent:<id>` → id. */
export function parseModelTarget (model: string): TargetParse {
  const m = TARGET.exec(model)
  if (m === null) return { ok: false }
  return { ok: true, agentId: m[1]?.toLowerCase() }
}

export function headerOf (request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  const text = Array.isArray(value) ? value[0] : value
  return text === undefined || text.trim() === '' ? undefined : text.trim()
}

function agentOrThrow (catalog: AgentCatalog, id: string): AgentInfo {
  const agent = catalog.get(id)
  if (agent === undefined) throw invalidRequest(`Unknown agent '${id}'.`, null, 'unknown_agent')
  return agent
}

/** Header `x-openclaw-agent-id`, then the model id, then the default agent. */
export function resolveTargetAgent (catalog: AgentCatalog, request: FastifyRequest, model: string | undefined): AgentInfo {
  let fromModel: string | undefined
  if (model !== undefined) {
    const parsed = parseModelTarget(model)
    if (!parsed.ok) throw invalidRequest(INVALID_MODEL, 'model', 'model_not_found')
    fromModel = parsed.agentId
  }
  const fromHeader = headerOf(request, 'x-openclaw-agent-id')
  return agentOrThrow(catalog, fromHeader ?? fromModel ?? catalog.defaultId)
}

/** `gateway.http.models.includeProviderModels` (default on): configured provider models as `provider/model` ids. */
export function providerModelIds (config: Readonly<GatewayConfig>): string[] {
  if (config.gateway?.http?.models?.includeProviderModels === false) return []
  return Object.entries(config.models?.providers ?? {}).flatMap(([provider, p]) => (p.models ?? []).map((m) => `${provider}/${m.id}`))
}

export interface ModelTarget {
  agent: AgentInfo
  /** The backend model a `provider/model` id names (run through the default agent). */
  providerModel: string | undefined
}

/**
 * The agent ids of contract 3.2, else a listed `provider/model` (the default
 * agent, or the header's, with that model), else a 404 `model_not_found`.
 */
export function resolveModelTarget (catalog: AgentCatalog, config: Readonly<GatewayConfig>, request: FastifyRequest, model: string): ModelTarget {
  if (parseModelTarget(model).ok) return { agent: resolveTargetAgent(catalog, request, model), providerModel: undefined }
  if (!providerModelIds(config).includes(model)) {
    throw notFound(`The model '${model}' does not exist. Use \`openclaw\`, \`openclaw/<agentId>\` or a model listed by GET /v1/models.`, 'model_not_found')
  }
  return { agent: resolveTargetAgent(catalog, request, undefined), providerModel: model }
}

export interface SessionTarget {
  sessionKey: string
  /** false: a stateless request, nothing is written to disk. */
  persist: boolean
  /** How the key was chosen; stateless keys are fresh and unknown to the store. */
  origin: 'header' | 'user' | 'stateless' | 'continued'
}

/**
 * `x-openclaw-session-key` (verbatim), else `agent:<id>:<prefix>-user:<user>`
 * for a non-empty string `user`, else a fresh stateless key.
 */
export function resolveSession (catalog: AgentCatalog, request: FastifyRequest, agent: AgentInfo, prefix: 'openai' | 'openresponses', user: unknown): SessionTarget {
  const header = headerOf(request, 'x-openclaw-session-key')
  if (header !== undefined) {
    checkSessionKey(header, 'x-openclaw-session-key')
    const rest = header.startsWith('agent:') ? header.slice(header.indexOf(':', 6) + 1) : header
    if (RESERVED_NAMESPACES.some((ns) => header.startsWith(ns) || rest.startsWith(ns))) {
      throw invalidRequest('`x-openclaw-session-key` cannot use reserved internal session namespaces.', null, 'reserved_session_key')
    }
    // A full key names its agent; it must be one we know (the engine would run it as that agent).
    const keyAgent = /^agent:([^:]+):./.exec(header)?.[1]
    if (keyAgent !== undefined) agentOrThrow(catalog, keyAgent)
    return { sessionKey: header, persist: true, origin: 'header' }
  }
  if (typeof user === 'string' && user.trim() !== '') {
    const key = `agent:${agent.id}:${prefix}-user:${user.trim().toLowerCase()}`
    checkSessionKey(key, 'user')
    return { sessionKey: key, persist: true, origin: 'user' }
  }
  return statelessSession(agent, prefix)
}

export interface TurnTarget { agent: AgentInfo, modelOverride: string | undefined, session: SessionTarget }

/** A chat-style turn (chat completions, Anthropic messages): its agent, backend model (the header over a `provider/model` id) and session. */
export function routeTurn (catalog: AgentCatalog, config: Readonly<GatewayConfig>, request: FastifyRequest, grantOf: (request: FastifyRequest) => HttpGrant, model: string, user: unknown): TurnTarget {
  const { agent, providerModel } = resolveModelTarget(catalog, config, request, model)
  const modelOverride = resolveModelOverride(request, grantOf) ?? providerModel
  return { agent, modelOverride, session: resolveSession(catalog, request, agent, 'openai', user) }
}

/** A fresh key nothing is written under. */
export function statelessSession (agent: AgentInfo, prefix: 'openai' | 'openresponses'): SessionTarget {
  return { sessionKey: `agent:${agent.id}:${prefix}:${randomUUID()}`, persist: false, origin: 'stateless' }
}

function checkSessionKey (key: string, param: string): void {
  if (key.length > MAX_SESSION_KEY) throw invalidRequest(`\`${param}\` is too long for a session key (at most ${MAX_SESSION_KEY} characters).`, param)
  if (CONTROL_CHARS.test(key)) throw invalidRequest(`\`${param}\` must not contain control characters.`, param)
}

const CHANNEL = /^[a-z0-9][a-z0-9_.:-]{0,63}$/
export const DEFAULT_CHANNEL = 'webchat'

/** `x-openclaw-message-channel`: the channel the message is attributed to (contract 3.2), lower-cased. */
export function resolveChannel (request: FastifyRequest): string {
  const value = headerOf(request, 'x-openclaw-message-channel')
  if (value === undefined) return DEFAULT_CHANNEL
  const channel = value.toLowerCase()
  if (!CHANNEL.test(channel)) throw invalidRequest('Invalid `x-openclaw-message-channel`: use a channel id such as `webchat` or `telegram`.', null, 'invalid_message_channel')
  return channel
}

/**
 * `x-openclaw-model`: a `provider/model` reference, an alias or a bare model
 * id. Choosing the backend model is an admin's call: an identity-bearing
 * caller needs operator.admin (the shared-secret owner always may).
 */
export function resolveModelOverride (request: FastifyRequest, grantOf: (request: FastifyRequest) => HttpGrant): string | undefined {
  const value = headerOf(request, 'x-openclaw-model')
  if (value === undefined) return undefined
  if (!grantsAdmin(grantOf(request))) throw new ERR_MISSING_SCOPE(SCOPE_ADMIN)
  if (value.length > 256 || /\s/.test(value) || value.startsWith('/') || value.endsWith('/')) {
    throw invalidRequest('Invalid `x-openclaw-model`.', null, 'invalid_model_override')
  }
  return value
}
