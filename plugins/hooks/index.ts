// Webhook ingress (contract 4): POST <hooks.path>/wake, /agent and mapped
// /<name>, behind a dedicated token with its own failed-auth budget. The base
// path is read at start (a change restarts); everything else is read from the
// running config on each request, so edits apply live.
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import {
  HookAgentBody, HookAgentOk, HookError, HookMappedBody, HookMappedOk, HookWakeBody, HookWakeOk, type HooksStatus
} from '../../schemas/hooks.js'
import { ERR_INVALID_REQUEST, ERR_NOT_FOUND } from '../../src/errors/index.js'
import { findMapping, mappingName } from '../../src/hooks/mappings.js'
import { activeHooks, normalizeHooksPath, type HooksConfig } from '../../src/hooks/policy.js'
import { renderTemplate } from '../../src/hooks/templates.js'
import { registerHooksMethods } from '../ws-rpc/methods/hooks.js'
import { hooksGate } from './auth.js'
import { HookDispatcher } from './dispatch.js'
import { HookStats } from './stats.js'

export const HOOKS_BODY_LIMIT = 256 * 1024

const security = [{ hooksToken: [] }]
const errors = { '4xx': HookError, '5xx': HookError }

export default async function hooksPlugin (parent: FastifyInstance) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const log = app.log.child({ subsystem: 'hooks' })
  const base = normalizeHooksPath(app.configStore.config.hooks?.path)
  const stats = new HookStats()
  const gate = hooksGate(() => app.configStore.config, app.gateway.now, () => { stats.authFailures++ })
  const dispatcher = new HookDispatcher(app, log)
  const hooksNow = (): HooksConfig => activeHooks(app.configStore.config) ?? {}

  warnAboutConfig(app, log)
  const onChange = ({ changedPaths }: { changedPaths: readonly string[] }) => {
    if (changedPaths.some((p) => p.startsWith('hooks') || p.startsWith('gateway.auth'))) warnAboutConfig(app, log)
  }
  app.configStore.on('change', onChange)
  const sweeper = setInterval(() => { gate.limiter.sweep() }, 60_000)
  sweeper.unref()
  app.addHook('onClose', async () => { clearInterval(sweeper); app.configStore.off('change', onChange) })

  // Bodies are JSON whatever their content type says (contract 4).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: HOOKS_BODY_LIMIT }, (_request, body, done) => {
    const text = (body as string).trim()
    if (text === '') return done(null, {})
    try {
      done(null, JSON.parse(text))
    } catch {
      done(new ERR_INVALID_REQUEST('invalid JSON body'), undefined)
    }
  })
  app.addHook('onRequest', gate.onRequest)
  // What each authenticated request did, for the status counters.
  const delivered = new WeakMap<FastifyRequest, { action?: 'agent' | 'wake', runId?: string, error?: string }>()
  app.addHook('onResponse', async (request, reply) => {
    if (!gate.authed.has(request)) return
    const done = delivered.get(request)
    stats.record({ ts: app.gateway.now(), path: request.url.split('?')[0]!, status: reply.statusCode, ...done })
  })

  app.setErrorHandler(function hooksErrorHandler (err: FastifyError, request, reply) {
    const status = err.validation !== undefined ? 400 : (err.statusCode ?? 500)
    let message = err.message
    if (err.validation !== undefined) message = `invalid payload: ${err.message}`
    else if (status === 413) message = 'payload too large'
    else if (status >= 500 && err.code?.startsWith('GW_ERR_') !== true) {
      request.log.error({ err }, 'hook failed')
      message = 'hook failed'
    }
    if (gate.authed.has(request)) delivered.set(request, { ...delivered.get(request), error: message })
    const body: HookError = { ok: false, error: message }
    return reply.status(status).send(body)
  })

  app.post(`${base}/wake`, {
    bodyLimit: HOOKS_BODY_LIMIT,
    schema: { tags: ['hooks'], summary: 'Queue a system event for an agent (and run a heartbeat now)', security, body: HookWakeBody, response: { 200: HookWakeOk, ...errors } }
  }, async (request): Promise<HookWakeOk> => {
    delivered.set(request, { action: 'wake' })
    const b = request.body
    const r = await dispatcher.wake(hooksNow(), { mode: b.mode ?? 'now', text: b.text, agentId: b.agentId, sessionKey: b.sessionKey })
    if (r.runId !== undefined) delivered.set(request, { action: 'wake', runId: r.runId })
    return r
  })

  app.post(`${base}/agent`, {
    bodyLimit: HOOKS_BODY_LIMIT,
    schema: {
      tags: ['hooks'],
      summary: 'Run an agent on webhook content',
      description: 'The message reaches the model wrapped as untrusted external content. Idempotency-Key (header) or idempotencyKey replays the admitted run.',
      security,
      body: HookAgentBody,
      response: { 200: HookAgentOk, ...errors }
    }
  }, async (request): Promise<HookAgentOk> => {
    const b = request.body
    if (b.message.trim() === '') throw new ERR_INVALID_REQUEST('message is required')
    delivered.set(request, { action: 'agent' })
    const out = await dispatcher.agent(hooksNow(), {
      message: b.message,
      name: b.name ?? 'Hook',
      agentId: b.agentId,
      sessionKey: b.sessionKey,
      sessionMode: b.sessionMode ?? 'isolated',
      idempotencyKey: idempotencyKey(request) ?? b.idempotencyKey,
      waitForCompletion: b.waitForCompletion === true,
      wakeMode: b.wakeMode ?? 'now',
      deliver: b.deliver !== false,
      model: b.model,
      timeoutSeconds: b.timeoutSeconds
    })
    delivered.set(request, { action: 'agent', runId: out.runId })
    return { ok: true, ...out }
  })

  const mapped = async (request: FastifyRequest<{ Params: { '*'?: string }, Body: Record<string, unknown> }>): Promise<HookMappedOk> => {
    const hooks = hooksNow()
    const sub = (request.params['*'] ?? '').replace(/^\/+|\/+$/g, '')
    const payload = request.body
    // Config mappings first, then those plugins contribute (plugins/plugin-host.ts), in load order.
    const fromPlugins = app.hasDecorator('pluginHost') ? app.pluginHost.hookMappings().map((c) => c.mapping) : []
    const found = findMapping([...(hooks.mappings ?? []), ...fromPlugins], sub, payload)
    if (found === undefined) throw new ERR_NOT_FOUND(`no hook mapping for "${sub}"`)
    const { mapping: m, index } = found
    const name = mappingName(m, index)
    const action = m.action ?? 'agent'
    const template = action === 'wake' ? (m.textTemplate ?? m.messageTemplate) : (m.messageTemplate ?? m.textTemplate)
    const rendered = template === undefined ? { text: JSON.stringify(payload), missing: [] } : renderTemplate(template, { payload, path: sub })
    if (rendered.missing.length > 0) log.warn({ mapping: name, missing: rendered.missing }, 'hook template fields missing; rendered as empty')
    const missing = rendered.missing.length > 0 ? { missingFields: rendered.missing } : {}
    if (rendered.text.trim() === '') throw new ERR_INVALID_REQUEST(`mapping "${name}" rendered an empty ${action === 'wake' ? 'text' : 'message'}`)
    delivered.set(request, { action })
    if (action === 'wake') {
      const r = await dispatcher.wake(hooks, { mode: m.wakeMode ?? 'now', text: rendered.text, agentId: m.agentId })
      return { ok: true, action, mapping: name, mode: r.mode, eventOutcome: r.eventOutcome, ...(r.runId !== undefined ? { runId: r.runId } : {}), ...missing }
    }
    const out = await dispatcher.agent(hooks, {
      message: rendered.text,
      name: m.name ?? name,
      agentId: m.agentId,
      mappingSessionKey: m.sessionKey,
      sessionMode: m.sessionMode ?? 'isolated',
      idempotencyKey: idempotencyKey(request),
      waitForCompletion: false,
      wakeMode: m.wakeMode ?? 'now',
      deliver: m.deliver !== false,
      model: m.model,
      timeoutSeconds: m.timeoutSeconds
    })
    delivered.set(request, { action, runId: out.runId })
    return { ok: true, action, mapping: name, runId: out.runId, ...missing }
  }
  const mappedSchema = {
    tags: ['hooks'],
    summary: 'Deliver a payload to the first matching hooks.mappings entry',
    security,
    body: HookMappedBody,
    response: { 200: HookMappedOk, ...errors }
  }
  app.post(`${base}/*`, { bodyLimit: HOOKS_BODY_LIMIT, schema: mappedSchema }, mapped)
  app.post(base, { bodyLimit: HOOKS_BODY_LIMIT, schema: { ...mappedSchema, hide: true } }, mapped)
  // Other methods reach the gate only to be answered 405 (or 404 while hooks are off).
  for (const url of [base, `${base}/*`]) {
    app.route({ method: ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'], url, schema: { hide: true }, handler: async () => { throw new ERR_NOT_FOUND('Not Found') } })
  }

  const status = (): HooksStatus => {
    const config = app.configStore.config
    return {
      enabled: activeHooks(config) !== undefined,
      path: base,
      mappings: config.hooks?.mappings?.length ?? 0,
      deliveries: stats.deliveries,
      failures: stats.failures,
      authFailures: stats.authFailures,
      recent: stats.list()
    }
  }
  registerHooksMethods(app, status)
  app.rpc.health.extend(() => {
    const { recent: _recent, ...hooks } = status()
    return { hooks }
  })
}

function idempotencyKey (request: FastifyRequest): string | undefined {
  const h = request.headers['idempotency-key']
  return typeof h === 'string' && h.trim() !== '' ? h.trim().slice(0, 256) : undefined
}

/** Start-up (and reload) warnings: hooks on without a token, or a token that is also the gateway's secret. */
function warnAboutConfig (app: FastifyInstance, log: FastifyInstance['log']): void {
  const hooks = app.configStore.config.hooks
  if (hooks?.enabled !== true) return
  if (typeof hooks.token !== 'string' || hooks.token === '') {
    log.warn('hooks.enabled is true but hooks.token is empty: hooks stay off')
    return
  }
  const auth = app.configStore.current.auth
  if (hooks.token === auth.token || hooks.token === auth.password) {
    log.warn('hooks.token equals the gateway token or password: use a separate secret for webhooks')
  }
}
