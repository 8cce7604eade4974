// POST /v1/messages/count_tokens: an honest estimate, not a tokenizer. What
// the caller sends (system, messages, tool definitions) is converted exactly
// as /v1/messages would convert it, then counted at one token per 4
// characters of text and 1,600 per image (Anthropic's figure for an image of
// about 1.15 megapixels, the size it scales larger ones down to).
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { ChatMessage } from '../../../src/providers/index.js'
import { AnthropicErrorResponses, AnthropicHeaders, CountTokensRequest, CountTokensResponse } from '../../../schemas/anthropic.js'
import type { SurfaceOptions } from '../endpoints.js'
import { ImageBudget, imagePolicy } from '../images.js'
import { resolveModelTarget } from '../routing.js'
import { buildMessagesPrompt } from './prompt.js'
import { ANTHROPIC_DOCS, anthropicRouteOptions } from './route-options.js'

export const CHARS_PER_TOKEN = 4
export const IMAGE_TOKENS = 1600

export default async function countTokensRoute (parent: FastifyInstance, opts: SurfaceOptions) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  app.post('/messages/count_tokens', {
    ...anthropicRouteOptions(app, opts),
    schema: {
      ...ANTHROPIC_DOCS,
      summary: 'Estimate the input tokens of a message request',
      description: `An estimate: ${CHARS_PER_TOKEN} characters of text per token, ${IMAGE_TOKENS} tokens per image, over the system prompt, messages and tool definitions sent (not the agent's own prompt).`,
      headers: AnthropicHeaders,
      body: CountTokensRequest,
      response: { 200: CountTokensResponse, ...AnthropicErrorResponses }
    }
  }, async (request) => {
    const body = request.body
    const config = app.configStore.config
    resolveModelTarget(app.agents.catalog(), config, request, body.model)
    const prompt = buildMessagesPrompt(body, new ImageBudget(imagePolicy(config.gateway?.http?.endpoints?.chatCompletions, false)))
    let chars = (prompt.system ?? '').length
    let images = 0
    for (const m of [...prompt.context, ...prompt.input]) {
      const counted = countMessage(m)
      chars += counted.chars
      images += counted.images
    }
    for (const tool of body.tools ?? []) chars += tool.name.length + (tool.description ?? '').length + JSON.stringify(tool.input_schema).length
    return { input_tokens: Math.ceil(chars / CHARS_PER_TOKEN) + images * IMAGE_TOKENS }
  })
}

function countMessage (m: ChatMessage): { chars: number, images: number } {
  let chars = 0
  let images = 0
  if (typeof m.content === 'string') chars += m.content.length
  else {
    for (const part of m.content) {
      if (part.type === 'text') chars += part.text.length
      else images++
    }
  }
  if (m.role === 'assistant') for (const call of m.toolCalls ?? []) chars += call.name.length + call.arguments.length
  return { chars, images }
}
