// The Anthropic Messages ingress (POST /v1/messages, /v1/messages/count_tokens).
// Request bodies are open like Anthropic's own (clients send extras such as
// cache_control); the fields the gateway reads are typed. Response schemas are
// the serializers and the OpenAPI document.
import { Type, type Static } from '@sinclair/typebox'
import { Enum, MODEL_DESCRIPTION, RoutingHeaders } from './openai.js'

const Open = { additionalProperties: true }

const Source = Type.Object({
  type: Type.String({ description: 'base64 | url' }),
  media_type: Type.Optional(Type.String()),
  data: Type.Optional(Type.String()),
  url: Type.Optional(Type.String())
}, Open)

const TextBlock = Type.Object({ type: Type.Literal('text'), text: Type.String() }, Open)

export const ContentBlock = Type.Object({
  type: Type.String({ description: 'user: text | image | tool_result; assistant: text | tool_use | thinking (ignored)' }),
  text: Type.Optional(Type.String()),
  source: Type.Optional(Source),
  id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  input: Type.Optional(Type.Unknown()),
  tool_use_id: Type.Optional(Type.String()),
  content: Type.Optional(Type.Union([Type.String(), Type.Array(Type.Object({ type: Type.String(), text: Type.Optional(Type.String()) }, Open))])),
  is_error: Type.Optional(Type.Boolean())
}, Open)
export type ContentBlock = Static<typeof ContentBlock>

const Message = Type.Object({
  role: Enum(['user', 'assistant'] as const),
  content: Type.Union([Type.String(), Type.Array(ContentBlock)])
}, Open)
export type AnthropicMessage = Static<typeof Message>

const Tool = Type.Object({
  name: Type.String({ pattern: '^[a-zA-Z0-9_-]{1,64}$' }),
  description: Type.Optional(Type.String()),
  input_schema: Type.Object({}, Open),
  type: Type.Optional(Type.String({ description: 'custom (default); server tools are refused' }))
}, Open)

const ToolChoice = Type.Object({
  type: Enum(['auto', 'any', 'tool', 'none'] as const),
  name: Type.Optional(Type.String()),
  disable_parallel_tool_use: Type.Optional(Type.Boolean())
}, Open)

const PromptFields = {
  model: Type.String({ description: MODEL_DESCRIPTION }),
  messages: Type.Array(Message, { minItems: 1 }),
  system: Type.Optional(Type.Union([Type.String(), Type.Array(TextBlock)])),
  tools: Type.Optional(Type.Array(Tool)),
  tool_choice: Type.Optional(ToolChoice)
}

export const MessagesRequest = Type.Object({
  ...PromptFields,
  max_tokens: Type.Integer({ minimum: 1 }),
  stop_sequences: Type.Optional(Type.Array(Type.String())),
  stream: Type.Optional(Type.Boolean()),
  temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  top_p: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  top_k: Type.Optional(Type.Integer({ minimum: 0, description: 'Accepted and ignored.' })),
  metadata: Type.Optional(Type.Object({ user_id: Type.Optional(Type.Union([Type.String(), Type.Null()])) }, Open))
}, { ...Open, title: 'AnthropicMessagesRequest' })
export type MessagesRequest = Static<typeof MessagesRequest>

export const CountTokensRequest = Type.Object(PromptFields, { ...Open, title: 'AnthropicCountTokensRequest' })
export type CountTokensRequest = Static<typeof CountTokensRequest>

export const CountTokensResponse = Type.Object({
  input_tokens: Type.Integer({ description: 'An estimate: see docs/anthropic-compat.md.' })
}, { title: 'AnthropicCountTokens' })

const OutText = Type.Object({ type: Type.Literal('text'), text: Type.String() })
const OutToolUse = Type.Object({ type: Type.Literal('tool_use'), id: Type.String(), name: Type.String(), input: Type.Unknown() })
export type OutBlock = Static<typeof OutText> | Static<typeof OutToolUse>

export const StopReason = Enum(['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'refusal'] as const)
export type StopReason = Static<typeof StopReason>

export const MessageResponse = Type.Object({
  id: Type.String(),
  type: Type.Literal('message'),
  role: Type.Literal('assistant'),
  model: Type.String(),
  content: Type.Array(Type.Union([OutText, OutToolUse])),
  stop_reason: Type.Union([StopReason, Type.Null()]),
  stop_sequence: Type.Union([Type.String(), Type.Null()]),
  usage: Type.Object({ input_tokens: Type.Integer(), output_tokens: Type.Integer() })
}, { title: 'AnthropicMessage' })
export type MessageResponse = Static<typeof MessageResponse>

/** Documentation only: each frame is `event: <type>` + `data: <json>`, with no `[DONE]`. */
export const MessageStreamEvent = Type.Object({
  type: Type.String({ description: 'message_start, ping, content_block_start, content_block_delta, content_block_stop, message_delta, message_stop; error on a failure after the first byte' })
}, { ...Open, title: 'AnthropicStreamEvent' })

export const AnthropicErrorBody = Type.Object({
  type: Type.Literal('error'),
  error: Type.Object({ type: Type.String(), message: Type.String() })
}, { title: 'AnthropicError', description: 'The Anthropic error envelope, used for every failure under /v1/messages.' })

export const AnthropicErrorResponses = { '4xx': AnthropicErrorBody, '5xx': AnthropicErrorBody }

export const AnthropicHeaders = Type.Object({
  ...RoutingHeaders.properties,
  'x-api-key': Type.Optional(Type.String({ description: 'The gateway token (or send `Authorization: Bearer`).' })),
  'anthropic-version': Type.Optional(Type.String({ description: 'Accepted and ignored.' }))
}, Open)
