// POST /v1/responses (contract 3.5): the OpenResponses subset, one agent run
// per request; `previous_response_id` continues a stored response: its
// session's transcript when it had one, else the chain of stored records.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { AgentCatalog, AgentInfo } from '../../src/agents/catalog.js'
import type { GatewayConfig } from '../../schemas/config.js'
import { toChatHistory } from '../../src/agents/transcript-map.js'
import type { ChatMessage, RunRequest, Sampling, ToolChoice, ToolSpec } from '../../src/agents/types.js'
import { ErrorResponses, FIELD_MESSAGES, ResponseObject, ResponsesRequest, ResponseStreamEvent, RoutingHeaders } from '../../schemas/openai.js'
import { conversationOf, hasReferences, resolveReferences, storedInput } from './response-items.js'
import { endpointGate, type SurfaceOptions } from './endpoints.js'
import { fromRunResult, invalidRequest } from './errors.js'
import { ImageBudget, imagePolicy } from './images.js'
import type { ResponseStore, StoredResponse } from './response-store.js'
import { completionOf, outputOf, responseId, responseMeta, snapshotJson } from './responses-build.js'
import { convertInput } from './responses-input.js'
import { resolveChannel, resolveModelOverride, resolveModelTarget, resolveSession, statelessSession, type SessionTarget } from './routing.js'
import { startRun } from './run-bridge.js'
import { responseEvents, streamRun } from './streaming/index.js'
import { currentTurnStart, type TurnRole } from './turns.js'
import { formatSchemaErrors } from './validation.js'
import { SCOPE_WRITE } from '../../src/rpc/scopes.js'
import { JsonOrEventStream } from '../../schemas/common.js'

type Body = ResponsesRequest
const HISTORY_LIMIT = 200

export default async function responsesRoutes (parent: FastifyInstance, opts: SurfaceOptions & { store: ResponseStore }) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  app.post('/responses', {
    onRequest: [app.httpAuth(SCOPE_WRITE), endpointGate(app, 'responses')],
    bodyLimit: opts.bodyLimit,
    schemaErrorFormatter: formatSchemaErrors(FIELD_MESSAGES.responses),
    schema: {
      tags: ['openai'],
      summary: 'Create a response (runs an agent turn)',
      description: 'OpenResponses subset. `stream: true` answers `text/event-stream` with `event:`/`data:` frames ending in `data: [DONE]`.',
      headers: RoutingHeaders,
      body: ResponsesRequest,
      response: {
        200: JsonOrEventStream('A response object, or its event stream when `stream` is true.', ResponseObject, ResponseStreamEvent),
        ...ErrorResponses
      }
    }
  }, async (request, reply) => {
    const body = request.body
    if (body.background === true) throw invalidRequest('Background responses are not supported by this gateway: omit `background`.', 'background', 'unsupported_background')
    const catalog = app.agents.catalog()
    const config = app.configStore.config
    // Reported as stored only when it will be: `store: false` or a store limited to 0 keeps nothing.
    const store = body.store !== false && opts.store.keeping
    // The awaits only where the store or a transcript is read: most requests start fresh and read neither.
    const previous = body.previous_response_id
    const { agent, session, providerModel, chain } = previous !== undefined && previous !== null && previous !== ''
      ? await continuation(catalog, config, request, body.model, previous, opts.store, store)
      : freshTarget(catalog, config, request, body, store)
    const modelOverride = resolveModelOverride(request, app.httpGrant) ?? providerModel
    const images = new ImageBudget(imagePolicy(config.gateway?.http?.endpoints?.responses, true))
    const input = hasReferences(body.input) ? await resolveReferences(body.input, opts.store) : body.input
    const prior = chain === undefined ? undefined : convertInput(await conversationOf(opts.store, chain), images)
    const converted = convertInput(input, images)
    const system = [...(body.instructions !== undefined && body.instructions !== null ? [body.instructions] : []), ...(prior?.system ?? []), ...converted.system]
      .filter((s) => s.trim() !== '').join('\n\n')
    if (converted.messages.length === 0) throw invalidRequest('`input` has no message to answer.', 'input', 'message_empty')
    const turn = prior === undefined && session.origin === 'continued' && !session.persist
      ? await transcriptTurn(app, converted.messages, session.sessionKey)
      : splitTurn(converted.messages, session, prior?.messages)
    const tools = clientTools(body)

    // Every field is set (undefined when absent): one object shape for every request.
    const req: Omit<RunRequest, 'signal'> = {
      source: 'responses',
      agentId: agent.id,
      sessionKey: session.sessionKey,
      persist: session.persist,
      deltas: body.stream === true,
      input: turn.input,
      context: turn.context,
      extraSystemPrompt: system !== '' ? system : undefined,
      channel: resolveChannel(request),
      modelOverride,
      clientTools: tools.specs.length > 0 ? tools.specs : undefined,
      toolChoice: tools.choice,
      sampling: samplingOf(body)
    }
    const run = startRun(app, reply, req, { modelOverride, agentId: agent.id }, opts.disconnects)
    const createdAtMs = app.gateway.now()
    const meta = responseMeta(responseId(run.handle.runId), Math.floor(createdAtMs / 1000), body.model ?? 'openclaw', body, store)
    // Every response the client was given with `store: true` is kept (its session was persisted too).
    const save = (json: string) => {
      if (!store) return
      const { agentId, sessionKey } = run.handle
      opts.store.save({ id: meta.id, createdAtMs, agentId, sessionKey, persisted: session.persist, input: typeof input === 'string' ? input : storedInput(meta.id, input) }, json)
    }

    if (body.stream === true) {
      const events = responseEvents(meta)
      const result = await streamRun(reply, run, events, opts.keepAlive)
      if (result !== undefined && events.finalJson !== undefined) save(events.finalJson)
      return
    }
    const result = await run.handle.done
    if (run.clientGone) return reply.hijack()
    if (result.status !== 'ok') throw fromRunResult(result)
    const { status, reason } = completionOf(result)
    // Serialized once, for the client and the store; Fastify sends a string as it is.
    const json = snapshotJson(meta, { status, output: outputOf(result, meta.id), result, incompleteReason: reason })
    save(json)
    return (reply as FastifyReply).type('application/json').send(json)
  })
}

interface Target {
  agent: AgentInfo
  session: SessionTarget
  providerModel: string | undefined
  /** The previous response, when its conversation is in the store rather than a transcript. */
  chain: StoredResponse | undefined
}

/** Contract 3.2 routing. Only a named session (header, `user`) is written; a stored stateless response keeps its conversation in its record. */
function freshTarget (catalog: AgentCatalog, config: Readonly<GatewayConfig>, request: FastifyRequest, body: Body, store: boolean): Target {
  const { agent, providerModel } = resolveModelTarget(catalog, config, request, body.model ?? 'openclaw')
  const session = resolveSession(catalog, request, agent, 'openresponses', body.user)
  return { agent, session: { ...session, persist: session.persist && store }, providerModel, chain: undefined }
}

/** Continuing `previous`: its agent, and its session's transcript when it had one, else its chain of stored records. */
async function continuation (catalog: AgentCatalog, config: Readonly<GatewayConfig>, request: FastifyRequest, model: string | undefined, previous: string, stored: ResponseStore, store: boolean): Promise<Target> {
  const { providerModel } = resolveModelTarget(catalog, config, request, model ?? 'openclaw')
  const hit = await stored.get(previous)
  const continued = hit !== undefined ? catalog.get(hit.agentId) : undefined
  if (hit === undefined || continued === undefined) {
    throw invalidRequest(`Previous response with id '${previous}' not found.`, 'previous_response_id', 'previous_response_not_found')
  }
  if (!hit.persisted) return { agent: continued, session: statelessSession(continued, 'openresponses'), providerModel, chain: hit }
  return { agent: continued, session: { sessionKey: hit.sessionKey, persist: store, origin: 'continued' }, providerModel, chain: undefined }
}

/** Continuing from the stored chain or a persisted session, every item is new; otherwise the last turn is input. */
function splitTurn (messages: ChatMessage[], session: SessionTarget, prior: ChatMessage[] | undefined): { input: ChatMessage[], context?: ChatMessage[] } {
  if (prior !== undefined) return { input: messages, context: prior }
  // The engine reads a persisted session's transcript itself.
  if (session.origin === 'continued') return { input: messages }
  const start = currentTurnStart(messages.map((m) => m.role as TurnRole))
  return { input: messages.slice(start), context: messages.slice(0, start) }
}

/** A `store: false` continuation of a persisted session: the engine will not read the transcript for an unpersisted run, so it is read here. */
async function transcriptTurn (app: FastifyInstance, messages: ChatMessage[], sessionKey: string): Promise<{ input: ChatMessage[], context: ChatMessage[] }> {
  const answered = messages.flatMap((m) => (m.role === 'tool' ? [m.toolCallId] : []))
  return { input: messages, context: toChatHistory(await app.sessions.history(sessionKey, { limit: HISTORY_LIMIT }), answered) }
}

/** Responses function tools are flat: `{type:"function", name, description?, parameters?}`. */
function clientTools (body: Body): { specs: ToolSpec[], choice: ToolChoice | undefined } {
  const specs: ToolSpec[] = (body.tools ?? []).map((tool, i) => {
    if (tool.type !== 'function' || tool.name === undefined) {
      throw invalidRequest(`Unsupported tool type '${String(tool.type)}' (tools[${i}]); only function tools with a name are supported.`, `tools[${i}].type`, 'unsupported_tool')
    }
    return { name: tool.name, ...(typeof tool.description === 'string' ? { description: tool.description } : {}), parameters: tool.parameters ?? { type: 'object', properties: {} } }
  })
  const choice = body.tool_choice
  if (choice === undefined || choice === null) return { specs, choice: undefined }
  if (typeof choice === 'string') return { specs, choice }
  const name = choice.name
  if (choice.type !== 'function' || name === undefined || !specs.some((s) => s.name === name)) {
    throw invalidRequest(`Invalid tool_choice: '${String(name)}' is not one of the request's function tools.`, 'tool_choice', 'invalid_tool_choice')
  }
  return { specs, choice: { name } }
}

function samplingOf (body: Body): Sampling {
  const s: Sampling = {}
  if (body.max_output_tokens !== undefined && body.max_output_tokens !== null) s.maxTokens = body.max_output_tokens
  if (body.temperature !== undefined && body.temperature !== null) s.temperature = body.temperature
  if (body.top_p !== undefined && body.top_p !== null) s.topP = body.top_p
  return s
}
