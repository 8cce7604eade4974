// POST /tools/invoke (contract 3.7, always on) and its WS twin `tools.invoke`
// (operator.write): run one agent tool directly, outside a model turn, under
// the agent's tool policy plus a hard deny list for tools that change the
// machine (exec, file writes, session spawning, gateway control).
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { GatewayConfig } from '../schemas/config.js'
import { ToolsInvokeBody, ToolsInvokeError, ToolsInvokeOk } from '../schemas/tools-invoke.js'
import { grantsAdmin } from '../src/auth/http-scopes.js'
import { RpcError } from '../src/errors/index.js'
import { SCOPE_ADMIN, SCOPE_WRITE, scopeSatisfied } from '../src/rpc/scopes.js'
import { compilePolicy } from '../src/tools/policy.js'
import type { ToolResult } from '../src/tools/index.js'
import { invalidRequest, notFound, toOpenAiFailure } from './openai-compat/errors.js'
import { formatSchemaErrors } from './openai-compat/validation.js'

/**
 * OpenClaw's list, plus this gateway's own names for the same powers (`write`
 * and `edit` are its fs_write and apply_patch). `gateway.tools.deny` adds to
 * it, `gateway.tools.allow` removes from it (names, `*` globs or `group:*`).
 */
export const DEFAULT_HTTP_DENY: readonly string[] = Object.freeze([
  'exec', 'spawn', 'shell', 'fs_write', 'fs_delete', 'fs_move', 'apply_patch',
  'sessions_spawn', 'sessions_send', 'cron', 'gateway', 'nodes', 'write', 'edit'
])

const BODY_LIMIT = 2 * 1024 * 1024

/** True when `name` matches one of `entries` (tool policy syntax). */
function matcher (entries: readonly string[] | undefined): (name: string) => boolean {
  if (entries === undefined || entries.length === 0) return () => false
  // A one-layer policy that denies `entries` passes exactly the names that do not match.
  const passes = compilePolicy([{ deny: entries }])
  return (name) => !passes(name)
}

/** `owner`: the caller may have `gateway.tools.allow` lift the default list (an identity-bearing caller needs operator.admin). */
export function deniedOverHttp (config: Readonly<GatewayConfig>, name: string, owner = true): boolean {
  const lower = name.toLowerCase()
  if (matcher(config.gateway?.tools?.deny)(lower)) return true
  return DEFAULT_HTTP_DENY.includes(lower) && !(owner && matcher(config.gateway?.tools?.allow)(lower))
}

/** Tool-level failures that are the caller's, as HTTP statuses; other tool errors are results. */
const STATUS_BY_TOOL_CODE: Record<string, number> = { TOOL_INVALID_ARGS: 400, TOOL_NOT_FOUND: 404, TOOL_NOT_AVAILABLE: 404 }

/** `owner`: see deniedOverHttp. */
export async function invokeTool (app: FastifyInstance, body: ToolsInvokeBody, signal: AbortSignal, owner: boolean): Promise<ToolResult> {
  const name = body.name ?? body.tool
  if (name === undefined) throw invalidRequest("Missing required parameter: 'tool'.", 'tool')
  const catalog = app.agents.catalog()
  const agent = catalog.get((body.agentId ?? catalog.defaultId).toLowerCase())
  if (agent === undefined) throw invalidRequest(`Unknown agent '${body.agentId ?? ''}'.`, 'agentId', 'unknown_agent')
  const config = app.configStore.config
  const def = app.tools.available(config, agent.id).find((d) => d.name === name)
  // Denied and unknown look the same from outside: the tool is not available here.
  if (def === undefined || deniedOverHttp(config, name, owner)) throw notFound(`Tool not available: ${name}`, 'tool_not_available')

  let args: Record<string, unknown> = body.args ?? {}
  const props = (def.parameters as { properties?: Record<string, unknown> }).properties
  if (body.action !== undefined && args.action === undefined && props?.action !== undefined) args = { ...args, action: body.action }
  const rest = body.sessionKey === undefined || body.sessionKey === 'main' ? 'main' : body.sessionKey
  const sessionKey = rest.startsWith('agent:') ? rest : `agent:${agent.id}:${rest}`
  const result = await app.tools.invoke(name, args, {
    agentId: agent.id,
    sessionKey,
    runId: body.idempotencyKey ?? `tools-invoke:${randomUUID()}`,
    workspace: agent.workspace,
    signal,
    sessions: app.sessions,
    now: app.gateway.now
  }, config, agent.id)
  const detail = (result.details as { code?: unknown } | undefined)?.code
  const code = typeof detail === 'string' ? detail : ''
  const status = result.isError === true ? STATUS_BY_TOOL_CODE[code] : undefined
  if (status === 400) throw invalidRequest(result.content, 'args', code.toLowerCase())
  if (status === 404) throw notFound(`Tool not available: ${name}`, 'tool_not_available')
  return result
}

function abortOnClose (reply: FastifyReply): AbortSignal {
  const controller = new AbortController()
  reply.raw.once('close', () => { if (!reply.raw.writableFinished) controller.abort() })
  return controller.signal
}

export default async function toolsInvoke (parent: FastifyInstance) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  app.setErrorHandler(function toolsInvokeErrorHandler (err, request, reply) {
    const failure = toOpenAiFailure(err)
    if (failure.internal) request.log.error({ err }, 'tools.invoke failed')
    const body: ToolsInvokeError = { ok: false, error: failure.body.error }
    return reply.status(failure.status).headers(failure.headers).send(body)
  })

  app.post('/tools/invoke', {
    onRequest: app.httpAuth(SCOPE_WRITE),
    bodyLimit: BODY_LIMIT,
    schemaErrorFormatter: formatSchemaErrors({}),
    schema: {
      tags: ['tools'],
      summary: 'Invoke one agent tool',
      description: 'Runs under the agent\'s tool policy; exec, file writes and gateway control are denied over HTTP unless gateway.tools.allow lists them.',
      body: ToolsInvokeBody,
      response: { 200: ToolsInvokeOk, '4xx': ToolsInvokeError, '5xx': ToolsInvokeError }
    }
  }, async (request, reply): Promise<ToolsInvokeOk> => {
    const result = await invokeTool(app, request.body, abortOnClose(reply), grantsAdmin(app.httpGrant(request)))
    return { ok: true, result }
  })

  // The WS twin, when the RPC plane is up (it is registered before the surfaces).
  if (app.hasDecorator('rpc')) {
    app.rpc.register('tools.invoke', {
      scope: SCOPE_WRITE,
      params: ToolsInvokeBody,
      handler: async (params, ctx) => {
        try {
          return { ok: true, result: await invokeTool(app, params, ctx.signal, scopeSatisfied(SCOPE_ADMIN, new Set(ctx.scopes))) }
        } catch (err) {
          const failure = toOpenAiFailure(err)
          if (failure.internal) ctx.log.error({ err }, 'tools.invoke failed')
          throw new RpcError(failure.status >= 500 ? 'UNAVAILABLE' : 'INVALID_REQUEST', failure.body.error.message, {
            details: { code: failure.body.error.code, status: failure.status }
          })
        }
      }
    })
  }
}
