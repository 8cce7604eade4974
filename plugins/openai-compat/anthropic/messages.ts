// POST /v1/messages (Anthropic Messages API): one agent run per request on
// the same path as /v1/chat/completions (routing, model ids, the run bridge,
// the event-stream writer), answered as a `message` or its event stream.
// Each request is stateless unless `x-openclaw-session-key` names a session:
// Anthropic clients send the whole conversation every time.
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Sampling, ToolChoice, ToolSpec } from '../../../src/agents/types.js'
import { AnthropicErrorResponses, AnthropicHeaders, MessageResponse, MessagesRequest, MessageStreamEvent } from '../../../schemas/anthropic.js'
import { JsonOrEventStream } from '../../../schemas/common.js'
import type { SurfaceOptions } from '../endpoints.js'
import { fromRunResult, invalidRequest } from '../errors.js'
import { ImageBudget, imagePolicy } from '../images.js'
import { resolveChannel, routeTurn } from '../routing.js'
import { startRun } from '../run-bridge.js'
import { streamRun } from '../streaming/index.js'
import { messageOf } from './build.js'
import { messageEvents } from './events.js'
import { buildMessagesPrompt } from './prompt.js'
import { ANTHROPIC_DOCS, anthropicRouteOptions } from './route-options.js'

export default async function messagesRoutes (parent: FastifyInstance, opts: SurfaceOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  app.post('/messages', {
    ...anthropicRouteOptions(app, opts),
    schema: {
      ...ANTHROPIC_DOCS,
      summary: 'Create a message (Anthropic Messages API; runs an agent turn)',
      description: '`stream: true` answers `text/event-stream` with Anthropic\'s events, message_start … message_stop.',
      headers: AnthropicHeaders,
      body: MessagesRequest,
      response: {
        200: JsonOrEventStream('A message, or its event stream when `stream` is true.', MessageResponse, MessageStreamEvent),
        ...AnthropicErrorResponses
      }
    }
  }, async (request, reply) => {
    const body = request.body
    const catalog = app.agents.catalog()
    const config = app.configStore.config
    const { agent, modelOverride, session } = routeTurn(catalog, config, request, app.httpGrant, body.model, undefined)
    const prompt = buildMessagesPrompt(body, new ImageBudget(imagePolicy(config.gateway?.http?.endpoints?.chatCompletions, false)))
    if (prompt.input.length === 0) throw invalidRequest('messages: the last turn has no content to answer')
    const tools = clientTools(body)
    // Every field is set (undefined when absent): one object shape for every request.
    const run = startRun(app, reply, {
      source: 'anthropic',
      agentId: agent.id,
      sessionKey: session.sessionKey,
      persist: session.persist,
      deltas: body.stream === true,
      input: prompt.input,
      context: prompt.context,
      extraSystemPrompt: prompt.system,
      channel: resolveChannel(request),
      modelOverride,
      clientTools: tools.specs.length > 0 ? tools.specs : undefined,
      toolChoice: tools.choice,
      sampling: samplingOf(body)
    }, { modelOverride, agentId: agent.id }, opts.disconnects)

    const meta = { id: `msg_${randomUUID().replaceAll('-', '')}`, model: body.model }
    if (body.stream === true) {
      await streamRun(reply, run, messageEvents(meta), opts.keepAlive)
      return
    }
    const result = await run.handle.done
    if (run.clientGone) return reply.hijack()
    if (result.status !== 'ok') throw fromRunResult(result)
    return reply.type('application/json').send(messageOf(meta, result))
  })
}

function clientTools (body: MessagesRequest): { specs: ToolSpec[], choice: ToolChoice | undefined } {
  const specs: ToolSpec[] = (body.tools ?? []).map((tool, i) => {
    if (tool.type !== undefined && tool.type !== 'custom') throw invalidRequest(`tools.${i}.type: server tools ('${tool.type}') are not supported; define a custom tool with input_schema`)
    return { name: tool.name, ...(tool.description !== undefined ? { description: tool.description } : {}), parameters: tool.input_schema }
  })
  const choice = body.tool_choice
  if (choice === undefined || choice.type === 'auto') return { specs, choice: undefined }
  if (choice.type === 'any') return { specs, choice: 'required' }
  if (choice.type === 'none') return { specs, choice: 'none' }
  const name = choice.name
  if (name === undefined || !specs.some((s) => s.name === name)) throw invalidRequest(`tool_choice.name: '${String(name)}' is not one of the request's tools`)
  return { specs, choice: { name } }
}

function samplingOf (body: MessagesRequest): Sampling {
  const s: Sampling = { maxTokens: body.max_tokens }
  if (body.temperature !== undefined) s.temperature = body.temperature
  if (body.top_p !== undefined) s.topP = body.top_p
  if (body.stop_sequences !== undefined && body.stop_sequences.length > 0) s.stop = body.stop_sequences
  return s
}
