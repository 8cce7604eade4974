// POST /v1/chat/completions (contract 3.4): one agent run per request,
// answered as one `chat.completion` or streamed as chunks.
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Sampling, ToolChoice, ToolSpec } from '../../src/agents/types.js'
import {
  ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ErrorResponses, FIELD_MESSAGES, RoutingHeaders
} from '../../schemas/openai.js'
import { buildChatPrompt } from './chat-prompt.js'
import { finishReasonOf, usageOf } from './chat-build.js'
import { endpointGate, type SurfaceOptions } from './endpoints.js'
import { fromRunResult, invalidRequest } from './errors.js'
import { imagePolicy } from './images.js'
import { resolveChannel, routeTurn } from './routing.js'
import { startRun } from './run-bridge.js'
import { chatChunks, streamRun } from './streaming/index.js'
import { formatSchemaErrors } from './validation.js'
import { SCOPE_WRITE } from '../../src/rpc/scopes.js'
import { JsonOrEventStream } from '../../schemas/common.js'

type Body = ChatCompletionRequest

export default async function chatCompletionsRoutes (parent: FastifyInstance, opts: SurfaceOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  app.post('/chat/completions', {
    onRequest: [app.httpAuth(SCOPE_WRITE), endpointGate(app, 'chatCompletions')],
    bodyLimit: opts.bodyLimit,
    schemaErrorFormatter: formatSchemaErrors(FIELD_MESSAGES.chat),
    schema: {
      tags: ['openai'],
      summary: 'Create a chat completion (runs an agent turn)',
      description: 'OpenAI-compatible. `stream: true` answers `text/event-stream` with `chat.completion.chunk` events ending in `data: [DONE]`.',
      headers: RoutingHeaders,
      body: ChatCompletionRequest,
      response: {
        200: JsonOrEventStream('A completion, or an event stream of chunks when `stream` is true.', ChatCompletion, ChatCompletionChunk),
        ...ErrorResponses
      }
    }
  }, async (request, reply) => {
    const body = request.body
    if (body.n !== undefined && body.n !== null && body.n > 1) throw invalidRequest('Only one choice is supported: `n` must be 1.', 'n', 'unsupported_n')
    const catalog = app.agents.catalog()
    const model = body.model ?? 'openclaw'
    const { agent, modelOverride, session } = routeTurn(catalog, app.configStore.config, request, app.httpGrant, model, body.user)
    const tools = clientTools(body)
    const prompt = buildChatPrompt(body.messages, imagePolicy(app.configStore.config.gateway?.http?.endpoints?.chatCompletions, false))
    // Every field is set (undefined when absent): one object shape for every request.
    const run = startRun(app, reply, {
      source: 'openai',
      agentId: agent.id,
      sessionKey: session.sessionKey,
      persist: session.persist,
      deltas: body.stream === true,
      input: prompt.input,
      context: prompt.context,
      extraSystemPrompt: prompt.extraSystemPrompt,
      channel: resolveChannel(request),
      modelOverride,
      clientTools: tools.specs.length > 0 ? tools.specs : undefined,
      toolChoice: tools.choice,
      sampling: samplingOf(body)
    }, { modelOverride, agentId: agent.id }, opts.disconnects)

    // The completion id carries the run id: one id to find a request in the gateway's logs and run events.
    const meta = { id: `chatcmpl_${run.handle.runId}`, created: Math.floor(Date.now() / 1000), model, includeUsage: body.stream_options?.include_usage === true }
    if (body.stream === true) {
      // The stream writes its own reply (hijacked); the route only waits for it, or rejects with a real status.
      await streamRun(reply, run, chatChunks(meta), opts.keepAlive)
      return
    }

    const result = await run.handle.done
    // Nobody is left to answer: do not write to a closed socket.
    if (run.clientGone) return reply.hijack()
    if (result.status !== 'ok') throw fromRunResult(result)
    const toolCalls = result.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } }))
    const completion: ChatCompletion = {
      id: meta.id,
      object: 'chat.completion',
      created: meta.created,
      model,
      choices: [{
        index: 0,
        message: {
          role: 'assistant',
          content: result.text !== '' ? result.text : (toolCalls.length > 0 ? null : 'No response from OpenClaw.'),
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {})
        },
        logprobs: null,
        finish_reason: finishReasonOf(result)
      }],
      usage: usageOf(result)
    }
    return reply.type('application/json').send(completion)
  })
}

/** Function tools the client executes itself, and `tool_choice` in the engine's terms. */
function clientTools (body: Body): { specs: ToolSpec[], choice: ToolChoice | undefined } {
  const specs: ToolSpec[] = (body.tools ?? []).map((tool, i) => {
    if (tool.type !== 'function' || tool.function === undefined) {
      throw invalidRequest(`Unsupported tool type '${String(tool.type)}' (tools[${i}]); only function tools are supported.`, `tools[${i}].type`, 'unsupported_tool')
    }
    const f = tool.function
    return { name: f.name, ...(f.description !== undefined ? { description: f.description } : {}), parameters: f.parameters ?? { type: 'object', properties: {} } }
  })
  const choice = body.tool_choice
  if (choice === undefined || choice === null) return { specs, choice: undefined }
  if (typeof choice === 'string') return { specs, choice }
  const name = choice.function.name
  if (choice.type !== 'function' || !specs.some((s) => s.name === name)) {
    throw invalidRequest(`Invalid tool_choice: '${name}' is not one of the request's function tools.`, 'tool_choice', 'invalid_tool_choice')
  }
  return { specs, choice: { name } }
}

function samplingOf (body: Body): Sampling {
  const s: Sampling = {}
  const maxTokens = body.max_completion_tokens ?? body.max_tokens
  if (maxTokens !== undefined && maxTokens !== null) s.maxTokens = maxTokens
  if (body.temperature !== undefined && body.temperature !== null) s.temperature = body.temperature
  if (body.top_p !== undefined && body.top_p !== null) s.topP = body.top_p
  if (body.frequency_penalty !== undefined && body.frequency_penalty !== null) s.frequencyPenalty = body.frequency_penalty
  if (body.presence_penalty !== undefined && body.presence_penalty !== null) s.presencePenalty = body.presence_penalty
  if (body.seed !== undefined && body.seed !== null) s.seed = body.seed
  const stop = typeof body.stop === 'string' ? [body.stop] : (body.stop ?? [])
  if (stop.length > 0) s.stop = stop
  if (body.response_format !== undefined && body.response_format !== null && body.response_format.type !== 'text') s.responseFormat = body.response_format
  return s
}
