// Webhook ingress (contract 4): POST <hooks.path>/wake, /agent and mapped
// /<name>, behind a dedicated token with its own failed-auth budget. The base
// path is read at start (a change restarts); everything else is read from the
// running config on each request, so edits apply live.
import path from 'node:path'
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import {
  HookAgentBody, HookAgentOk, HookError, HookMappedBody, HookMappedOk, HookWakeBody, HookWakeOk, type HooksStatus
} from '../../schemas/hooks.js'
import { ERR_INVALID_REQUEST, ERR_NOT_FOUND } from '../../src/errors/index.js'
import { ERR_HOOK_RATE_LIMITED } from '../../src/errors/hooks.js'
import { activeHooks, normalizeHooksPath, type HooksConfig } from '../../src/hooks/policy.js'
import { KNOWN_PRESETS } from '../../src/hooks/presets.js'
import { DEFAULT_RUN_BUDGET, RunBudget, type RunBudgetLimits } from '../../src/hooks/run-budget.js'
import { HookTransforms } from '../../src/hooks/transforms.js'
import { JsonStateFile } from '../../src/json-state-file.js'
import { registerHooksMethods } from '../ws-rpc/methods/hooks.js'
import { hooksGate } from './auth.js'
import { HookDispatcher } from './dispatch.js'
import { mappedHandler } from './mapped.js'
import { HookStats } from './stats.js'

export const HOOKS_BODY_LIMIT = 256 * 1024

const security = [{ hooksToken: [] }]
const Count = Type.Integer({ minimum: 0 })
/** The counters kept across restarts (`<stateDir>/hooks-state.json`). */
const SavedCounters = Type.Object({ version: Type.Literal(1), deliveries: Count, failures: Count, authFailures: Count })
const errors = { '4xx': HookError, '5xx': HookError }

export interface HooksPluginOptions {
  /** The loop guard: runs a mapping (or /hooks/agent, /hooks/wake now) may start per window (default 30 per 60 s). */
  runBudget?: RunBudgetLimits
  /** Bounds a transform's import and each call (default 10 s). */
  transformTimeoutMs?: number
}

export default async function hooksPlugin (parent: FastifyInstance, opts: HooksPluginOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const log = app.log.child({ subsystem: 'hooks' })
  const base = normalizeHooksPath(app.configStore.config.hooks?.path)
  const stats = new HookStats()
  const saved = new JsonStateFile({
    file: path.join(app.gateway.paths.stateDir, 'hooks-state.json'),
    schema: SavedCounters,
    snapshot: () => ({ version: 1 as const, deliveries: stats.deliveries, failures: stats.failures, authFailures: stats.authFailures }),
    log
  })
  const restored = await saved.load()
  if (restored !== undefined) stats.restore(restored)
  const gate = hooksGate(() => app.configStore.config, app.gateway.now, () => { stats.authFailures++; saved.markDirty() })
  const dispatcher = new HookDispatcher(app, log)
  const hooksNow = (): HooksConfig => activeHooks(app.configStore.config) ?? {}
  const transforms = new HookTransforms(opts.transformTimeoutMs ?? 10_000)
  const budget = new RunBudget(opts.runBudget ?? DEFAULT_RUN_BUDGET, app.gateway.now)
  const spend = (key: string): void => {
    const r = budget.take(key, 1)
    if (r.ok) return
    const err = new ERR_HOOK_RATE_LIMITED(`${key} started too many runs; retry later (hook loop guard)`)
    throw Object.assign(err, { retryAfterMs: r.retryAfterMs })
  }

  warnAboutConfig(app, log)
  const onChange = ({ changedPaths }: { changedPaths: readonly string[] }) => {
    if (changedPaths.some((p) => p.startsWith('hooks') || p.startsWith('gateway.auth'))) warnAboutConfig(app, log)
  }
  app.configStore.on('change', onChange)
  const sweeper = setInterval(() => { gate.limiter.sweep(); budget.sweep() }, 60_000)
  sweeper.unref()
  app.addHook('onClose', async () => {
    clearInterval(sweeper)
    app.configStore.off('change', onChange)
    await saved.close()
  })

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
    saved.markDirty()
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
    const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs
    if (status === 429 && retryAfterMs !== undefined) void reply.header('retry-after', String(Math.ceil(retryAfterMs / 1000)))
    const body: HookError = { ok: false, error: message }
    return reply.status(status).send(body)
  })

  app.post(`${base}/wake`, {
    bodyLimit: HOOKS_BODY_LIMIT,
    schema: { tags: ['hooks'], summary: 'Queue a system event for an agent (and run a heartbeat now)', security, body: HookWakeBody, response: { 200: HookWakeOk, ...errors } }
  }, async (request): Promise<HookWakeOk> => {
    delivered.set(request, { action: 'wake' })
    const b = request.body
    if ((b.mode ?? 'now') === 'now') spend('wake')
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
    const key = idempotencyKey(request) ?? b.idempotencyKey
    // A replay starts nothing: it does not spend the budget.
    if (key === undefined || !dispatcher.knows(key)) spend('agent')
    const out = await dispatcher.agent(hooksNow(), {
      message: b.message,
      name: b.name ?? 'Hook',
      agentId: b.agentId,
      sessionKey: b.sessionKey,
      sessionMode: b.sessionMode ?? 'isolated',
      idempotencyKey: key,
      waitForCompletion: b.waitForCompletion === true,
      wakeMode: b.wakeMode ?? 'now',
      deliver: b.deliver !== false,
      model: b.model,
      timeoutSeconds: b.timeoutSeconds
    })
    delivered.set(request, { action: 'agent', runId: out.runId })
    return { ok: true, ...out }
  })

  const mapped = mappedHandler({
    app,
    log,
    dispatcher,
    transforms,
    hooksNow,
    spend,
    note: (request, done) => { delivered.set(request, done) },
    idempotencyKey
  })
  const mappedSchema = {
    tags: ['hooks'],
    summary: 'Deliver a payload to the first matching hooks.mappings entry',
    security,
    body: HookMappedBody,
    response: { 200: HookMappedOk, 204: Type.Null({ description: 'The mapping produced no action: its transform returned null, or its forEach batch was empty.' }), ...errors }
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
  for (const p of hooks.presets ?? []) if (!KNOWN_PRESETS.includes(p)) log.warn({ preset: p }, `hooks.presets: unknown preset "${p}" ignored (known: ${KNOWN_PRESETS.join(', ')})`)
  const auth = app.configStore.current.auth
  if (hooks.token === auth.token || hooks.token === auth.password) {
    log.warn('hooks.token equals the gateway token or password: use a separate secret for webhooks')
  }
}
