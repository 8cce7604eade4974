// POST <hooks.path>/<name>: the first matching mapping (config, then presets,
// then plugins) turned into its actions and run. Each delivery that starts runs
// spends one unit of the mapping's run budget (the loop guard, docs/hooks.md).
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { HookMappedOk } from '../../schemas/hooks.js'
import { ERR_NOT_FOUND } from '../../src/errors/index.js'
import { applyMapping, type MappedAction } from '../../src/hooks/apply.js'
import { findMapping, mappingName } from '../../src/hooks/mappings.js'
import type { HooksConfig } from '../../src/hooks/policy.js'
import { presetMappings } from '../../src/hooks/presets.js'
import { transformsDirOf, type HookTransforms, type TransformContext } from '../../src/hooks/transforms.js'
import type { HookDispatcher } from './dispatch.js'

export type MappedRequest = FastifyRequest<{ Params: { '*'?: string }, Body: Record<string, unknown> }>

export interface MappedDeps {
  app: FastifyInstance
  log: FastifyBaseLogger
  dispatcher: HookDispatcher
  transforms: HookTransforms
  hooksNow: () => HooksConfig
  /** Spends one unit of `key`'s run budget or throws 429. */
  spend: (key: string) => void
  /** What the request did, for the status counters. */
  note: (request: FastifyRequest, done: { action: 'agent' | 'wake', runId?: string }) => void
  idempotencyKey: (request: FastifyRequest) => string | undefined
}

/** Credentials never reach a transform. */
const SECRET_HEADERS = new Set(['authorization', 'x-openclaw-token', 'cookie', 'proxy-authorization'])

export function mappedHandler (deps: MappedDeps) {
  const { app, log, dispatcher, hooksNow } = deps
  return async function mapped (request: MappedRequest, reply: FastifyReply): Promise<HookMappedOk | undefined> {
    const hooks = hooksNow()
    const sub = (request.params['*'] ?? '').replace(/^\/+|\/+$/g, '')
    const payload = request.body
    // Config mappings first, then presets, then those plugins contribute (plugins/plugin-host.ts), in load order.
    const fromPlugins = app.hasDecorator('pluginHost') ? app.pluginHost.hookMappings().map((c) => c.mapping) : []
    const found = findMapping([...(hooks.mappings ?? []), ...presetMappings(hooks.presets), ...fromPlugins], sub, payload)
    if (found === undefined) throw new ERR_NOT_FOUND(`no hook mapping for "${sub}"`)
    const { mapping: m, index } = found
    const name = mappingName(m, index)
    const ctx = transformContext(request, payload, sub)
    const { actions, fanOut, dropped } = await applyMapping(m, name, ctx, async (spec, c) =>
      await deps.transforms.run(transformsDirOf(app.gateway.paths.configPath, hooks.transformsDir), spec, c))
    if (dropped > 0) log.warn({ mapping: name, dropped }, 'hook fan-out over 200 items; the rest were dropped')
    if (actions.length === 0) {
      deps.note(request, { action: m.action ?? 'agent' })
      return await reply.code(204).send()
    }
    if (actions.some(startsRun)) deps.spend(`mapping:${name}`)
    const missing = [...new Set(actions.flatMap((a) => a.missing))]
    if (missing.length > 0) log.warn({ mapping: name, missing }, 'hook template fields missing; rendered as empty')
    const results = []
    const key = deps.idempotencyKey(request)
    // One key names one run: the items of a fan-out get one each.
    for (const [i, a] of actions.entries()) results.push(await run(a, key === undefined || !fanOut ? key : `${key}#${i}`))
    const first = results[0]!
    deps.note(request, { action: first.action, ...(first.runId !== undefined ? { runId: first.runId } : {}) })
    const extra = missing.length > 0 ? { missingFields: missing } : {}
    if (fanOut) {
      const runIds = results.flatMap((r) => r.runId === undefined ? [] : [r.runId])
      return { ok: true, action: first.action, mapping: name, count: results.length, runIds, dropped, ...extra }
    }
    return { ok: true, mapping: name, ...first, ...extra }
  }

  async function run (a: MappedAction, idempotencyKey: string | undefined): Promise<Omit<HookMappedOk, 'ok' | 'mapping'>> {
    const hooks = hooksNow()
    if (a.kind === 'wake') {
      const r = await dispatcher.wake(hooks, { mode: a.wakeMode, text: a.text, agentId: a.agentId })
      return { action: 'wake', mode: r.mode, eventOutcome: r.eventOutcome, ...(r.runId !== undefined ? { runId: r.runId } : {}) }
    }
    const out = await dispatcher.agent(hooks, {
      message: a.text,
      name: a.name,
      agentId: a.agentId,
      mappingSessionKey: a.sessionKey,
      sessionMode: a.sessionMode,
      idempotencyKey,
      waitForCompletion: false,
      wakeMode: a.wakeMode,
      deliver: a.deliver,
      model: a.model,
      timeoutSeconds: a.timeoutSeconds
    })
    return { action: 'agent', runId: out.runId }
  }
}

function startsRun (a: MappedAction): boolean {
  return a.kind === 'agent' || a.wakeMode === 'now'
}

function transformContext (request: FastifyRequest, payload: Record<string, unknown>, sub: string): TransformContext {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(request.headers)) {
    if (SECRET_HEADERS.has(k) || v === undefined) continue
    headers[k] = Array.isArray(v) ? v.join(', ') : v
  }
  const query = Object.fromEntries(new URL(request.url, 'http://hooks.invalid').searchParams)
  return { payload, headers, path: sub, query }
}
