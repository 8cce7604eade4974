// The OpenAI-compatible HTTP surface (contract 3.3-3.6, clients.md 2.x).
// Request bodies are open (real clients send extras: Open WebUI, LibreChat);
// only the fields the gateway reads are typed. Response schemas double as
// the serializers and the OpenAPI document, so they list every field we emit.
import { Type, type Static, type TSchema, type SchemaOptions } from '@sinclair/typebox'

/** A string enum as `{type, enum}`: Ajv then says "must be equal to one of the allowed values". */
export const Enum = <T extends string>(values: readonly T[], options: SchemaOptions = {}) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...options })

/** `type: [X, 'null']` rather than anyOf where X has one type: cheaper to validate and to serialize. */
const OrNull = <T extends TSchema>(schema: T) => {
  const type = (schema as unknown as { type?: unknown }).type
  return typeof type === 'string'
    ? Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'] })
    : Type.Union([schema, Type.Null()])
}

const Open = { additionalProperties: true }

export const MODEL_DESCRIPTION = '`openclaw`, `openclaw/default`, `openclaw/<agentId>` or a configured `provider/model` (default `openclaw`)'

// ---------- errors and models ----------

export const OpenAiErrorBody = Type.Object({
  error: Type.Object({
    message: Type.String(),
    type: Type.String(),
    param: OrNull(Type.String()),
    code: OrNull(Type.String())
  })
}, { title: 'OpenAiError', description: 'The OpenAI error envelope, used for every failure under /v1.' })

export const ErrorResponses = { '4xx': OpenAiErrorBody, '5xx': OpenAiErrorBody }

export const Model = Type.Object({
  id: Type.String({ examples: ['openclaw/main'] }),
  object: Type.Literal('model'),
  created: Type.Integer(),
  owned_by: Type.String(),
  permission: Type.Array(Type.Unknown())
})
export type Model = Static<typeof Model>

export const ModelList = Type.Object({ object: Type.Literal('list'), data: Type.Array(Model) })

/** The routing headers of contract 3.2; all optional, all strings. */
export const RoutingHeaders = Type.Object({
  'x-openclaw-agent-id': Type.Optional(Type.String({ description: 'Agent to run; wins over the agent named by `model`.' })),
  'x-openclaw-session-key': Type.Optional(Type.String({ description: 'Session to run in (verbatim); subagent:, cron: and acp: are reserved.' })),
  'x-openclaw-model': Type.Optional(Type.String({ description: 'Backend model override, `provider/model` or an alias (an identity-bearing caller needs operator.admin).' })),
  'x-openclaw-message-channel': Type.Optional(Type.String({ description: 'Channel the message is attributed to in its session (default `webchat`).' }))
}, Open)

// ---------- chat completions ----------

const ContentPart = Type.Object({
  type: Type.String({ description: 'text | image_url (others are refused)' }),
  text: Type.Optional(Type.String()),
  refusal: Type.Optional(Type.String()),
  image_url: Type.Optional(Type.Union([Type.String(), Type.Object({ url: Type.String(), detail: Type.Optional(Type.String()) }, Open)]))
}, Open)
export type ContentPart = Static<typeof ContentPart>

const MessageToolCall = Type.Object({
  id: Type.String(),
  type: Type.Optional(Type.String()),
  function: Type.Object({ name: Type.String(), arguments: Type.Optional(Type.String()) }, Open)
}, Open)

const ChatMessage = Type.Object({
  role: Enum(['system', 'developer', 'user', 'assistant', 'tool'] as const),
  content: Type.Optional(Type.Union([Type.String(), Type.Array(ContentPart), Type.Null()])),
  name: Type.Optional(Type.String()),
  tool_calls: Type.Optional(OrNull(Type.Array(MessageToolCall))),
  tool_call_id: Type.Optional(Type.String())
}, Open)
export type ChatMessage = Static<typeof ChatMessage>

const FunctionTool = Type.Object({
  type: Type.String({ description: 'only `function` is supported' }),
  function: Type.Optional(Type.Object({
    name: Type.String({ pattern: '^[a-zA-Z0-9_-]{1,64}$' }),
    description: Type.Optional(Type.String()),
    parameters: Type.Optional(Type.Object({}, Open)),
    strict: Type.Optional(OrNull(Type.Boolean()))
  }, Open))
}, Open)

const NamedToolChoice = Type.Object({
  type: Type.String(),
  function: Type.Object({ name: Type.String() }, Open)
}, Open)
const ToolChoice = Type.Union([Enum(['auto', 'none', 'required'] as const), NamedToolChoice])

const Temperature = OrNull(Type.Number({ minimum: 0, maximum: 2 }))
const TopP = OrNull(Type.Number({ minimum: 0, maximum: 1 }))
const Penalty = OrNull(Type.Number({ minimum: -2, maximum: 2 }))
const MaxTokens = OrNull(Type.Integer({ minimum: 1 }))

export const ChatCompletionRequest = Type.Object({
  model: Type.Optional(Type.String({ description: MODEL_DESCRIPTION })),
  messages: Type.Array(ChatMessage, { minItems: 1 }),
  stream: Type.Optional(OrNull(Type.Boolean())),
  stream_options: Type.Optional(OrNull(Type.Object({ include_usage: Type.Optional(Type.Boolean()) }, Open))),
  user: Type.Optional(Type.Unknown({ description: 'A non-empty string keeps a persistent session per user.' })),
  tools: Type.Optional(OrNull(Type.Array(FunctionTool))),
  tool_choice: Type.Optional(OrNull(ToolChoice)),
  max_tokens: Type.Optional(MaxTokens),
  max_completion_tokens: Type.Optional(MaxTokens),
  temperature: Type.Optional(Temperature),
  top_p: Type.Optional(TopP),
  frequency_penalty: Type.Optional(Penalty),
  presence_penalty: Type.Optional(Penalty),
  seed: Type.Optional(OrNull(Type.Integer())),
  stop: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { maxItems: 4 }), Type.Null()])),
  response_format: Type.Optional(OrNull(Type.Object({
    type: Enum(['text', 'json_object', 'json_schema'] as const),
    json_schema: Type.Optional(Type.Object({}, Open))
  }, Open))),
  n: Type.Optional(OrNull(Type.Integer({ minimum: 1 })))
}, { ...Open, title: 'ChatCompletionRequest' })
export type ChatCompletionRequest = Static<typeof ChatCompletionRequest>

const Usage = Type.Object({ prompt_tokens: Type.Integer(), completion_tokens: Type.Integer(), total_tokens: Type.Integer() })

const ResponseToolCall = Type.Object({
  id: Type.String(),
  type: Type.Literal('function'),
  function: Type.Object({ name: Type.String(), arguments: Type.String() })
})

export const FinishReason = Enum(['stop', 'length', 'tool_calls', 'content_filter'] as const)
export type FinishReason = Static<typeof FinishReason>

export const ChatCompletion = Type.Object({
  id: Type.String(),
  object: Type.Literal('chat.completion'),
  created: Type.Integer(),
  model: Type.String(),
  choices: Type.Array(Type.Object({
    index: Type.Integer(),
    message: Type.Object({
      role: Type.Literal('assistant'),
      content: OrNull(Type.String()),
      refusal: Type.Null(),
      tool_calls: Type.Optional(Type.Array(ResponseToolCall))
    }),
    logprobs: Type.Null(),
    finish_reason: FinishReason
  })),
  usage: Usage
}, { title: 'ChatCompletion' })
export type ChatCompletion = Static<typeof ChatCompletion>

/** Documentation only: chunks are written by hand onto the event stream. */
export const ChatCompletionChunk = Type.Object({
  id: Type.String(),
  object: Type.Literal('chat.completion.chunk'),
  created: Type.Integer(),
  model: Type.String(),
  choices: Type.Array(Type.Object({
    index: Type.Integer(),
    delta: Type.Object({
      role: Type.Optional(Type.Literal('assistant')),
      content: Type.Optional(Type.String()),
      tool_calls: Type.Optional(Type.Array(Type.Object({
        index: Type.Integer(),
        id: Type.Optional(Type.String()),
        type: Type.Optional(Type.Literal('function')),
        function: Type.Object({ name: Type.Optional(Type.String()), arguments: Type.String() })
      })))
    }),
    logprobs: Type.Optional(Type.Null()),
    finish_reason: OrNull(FinishReason)
  })),
  usage: Type.Optional(Usage)
}, { title: 'ChatCompletionChunk', description: 'One `data:` line of the event stream; the stream ends with `data: [DONE]`.' })

// ---------- responses ----------

const InputContentPart = Type.Object({
  type: Type.String({ description: 'input_text | output_text | input_image (others are refused)' }),
  text: Type.Optional(Type.String()),
  image_url: Type.Optional(Type.String()),
  source: Type.Optional(Type.Object({
    type: Type.String(),
    url: Type.Optional(Type.String()),
    data: Type.Optional(Type.String()),
    media_type: Type.Optional(Type.String())
  }, Open))
}, Open)

const InputItem = Type.Object({
  type: Type.Optional(Type.String({ description: 'message (default) | function_call | function_call_output | item_reference (an item of a stored response, by `id`)' })),
  id: Type.Optional(Type.String()),
  role: Type.Optional(Enum(['system', 'developer', 'user', 'assistant'] as const)),
  content: Type.Optional(Type.Union([Type.String(), Type.Array(InputContentPart)])),
  call_id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  arguments: Type.Optional(Type.String()),
  output: Type.Optional(Type.Union([Type.String(), Type.Array(InputContentPart)]))
}, Open)
export type ResponsesInputItem = Static<typeof InputItem>

const ResponsesTool = Type.Object({
  type: Type.String({ description: 'only `function` is supported' }),
  name: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9_-]{1,64}$' })),
  description: Type.Optional(OrNull(Type.String())),
  parameters: Type.Optional(OrNull(Type.Object({}, Open))),
  strict: Type.Optional(OrNull(Type.Boolean()))
}, Open)

const ResponsesToolChoice = Type.Union([
  Enum(['auto', 'none', 'required'] as const),
  Type.Object({ type: Type.String(), name: Type.Optional(Type.String()) }, Open)
])

export const ResponsesRequest = Type.Object({
  model: Type.Optional(Type.String({ description: MODEL_DESCRIPTION })),
  input: Type.Union([Type.String(), Type.Array(InputItem, { minItems: 1 })]),
  instructions: Type.Optional(OrNull(Type.String())),
  tools: Type.Optional(OrNull(Type.Array(ResponsesTool))),
  tool_choice: Type.Optional(OrNull(ResponsesToolChoice)),
  stream: Type.Optional(OrNull(Type.Boolean())),
  max_output_tokens: Type.Optional(MaxTokens),
  temperature: Type.Optional(Temperature),
  top_p: Type.Optional(TopP),
  user: Type.Optional(Type.Unknown()),
  previous_response_id: Type.Optional(OrNull(Type.String())),
  store: Type.Optional(OrNull(Type.Boolean({ description: 'Keep the response (default true): retrievable, continuable, referable by `item_reference`.' }))),
  background: Type.Optional(OrNull(Type.Boolean({ description: 'Not supported: `true` is a 400.' }))),
  metadata: Type.Optional(OrNull(Type.Record(Type.String(), Type.String())))
}, { ...Open, title: 'ResponsesRequest' })
export type ResponsesRequest = Static<typeof ResponsesRequest>

const OutputText = Type.Object({ type: Type.Literal('output_text'), text: Type.String(), annotations: Type.Array(Type.Unknown()) })

export const OutputMessage = Type.Object({
  type: Type.Literal('message'),
  id: Type.String(),
  status: Enum(['in_progress', 'completed', 'incomplete'] as const),
  role: Type.Literal('assistant'),
  content: Type.Array(OutputText)
})

export const OutputFunctionCall = Type.Object({
  type: Type.Literal('function_call'),
  id: Type.String(),
  call_id: Type.String(),
  name: Type.String(),
  arguments: Type.String(),
  status: Enum(['in_progress', 'completed', 'incomplete'] as const)
})

export const ResponseObject = Type.Object({
  id: Type.String(),
  object: Type.Literal('response'),
  created_at: Type.Integer(),
  status: Enum(['in_progress', 'completed', 'incomplete', 'failed'] as const),
  model: Type.String(),
  output: Type.Array(Type.Union([OutputMessage, OutputFunctionCall])),
  output_text: Type.String(),
  error: OrNull(Type.Object({ code: Type.String(), message: Type.String() })),
  incomplete_details: OrNull(Type.Object({ reason: Type.String() })),
  instructions: OrNull(Type.String()),
  metadata: Type.Record(Type.String(), Type.String()),
  parallel_tool_calls: Type.Boolean(),
  temperature: OrNull(Type.Number()),
  top_p: OrNull(Type.Number()),
  max_output_tokens: OrNull(Type.Integer()),
  previous_response_id: OrNull(Type.String()),
  store: Type.Boolean(),
  tool_choice: Type.Unknown(),
  tools: Type.Array(Type.Unknown()),
  usage: OrNull(Type.Object({
    input_tokens: Type.Integer(),
    input_tokens_details: Type.Object({ cached_tokens: Type.Integer() }),
    output_tokens: Type.Integer(),
    output_tokens_details: Type.Object({ reasoning_tokens: Type.Integer() }),
    total_tokens: Type.Integer()
  })),
  user: Type.Optional(Type.String())
}, { title: 'Response' })
export type ResponseObject = Static<typeof ResponseObject>

/** Documentation only: each frame is `event: <type>` + `data: <json>`; the stream ends with `data: [DONE]`. */
export const ResponseStreamEvent = Type.Object({
  type: Type.String({ description: 'response.created, response.in_progress, response.output_item.added, response.content_part.added, response.output_text.delta, response.output_text.done, response.content_part.done, response.function_call_arguments.delta, response.function_call_arguments.done, response.output_item.done, response.completed | response.incomplete | response.failed' }),
  sequence_number: Type.Integer()
}, { ...Open, title: 'ResponseStreamEvent' })

/** An input item as stored and listed by `input_items`: always with an id. */
export const StoredInputItem = Type.Object({
  type: Type.String(),
  id: Type.String()
}, { ...Open, title: 'ResponseInputItem' })
export type StoredInputItem = Static<typeof StoredInputItem> & Record<string, unknown>

export const ResponseIdParams = Type.Object({ id: Type.String({ description: 'A response id, `resp_…`' }) })

export const InputItemsQuery = Type.Object({
  after: Type.Optional(Type.String({ description: 'List items after this item id.' })),
  // Query strings are not coerced (coerceTypes is off): a number is its digits.
  limit: Type.Optional(Type.String({ pattern: '^(100|[1-9][0-9]?)$', description: '1 to 100 (default 20)' })),
  order: Type.Optional(Enum(['asc', 'desc'] as const, { default: 'desc' })),
  include: Type.Optional(Type.Unknown({ description: 'Accepted and ignored.' }))
}, Open)
export type InputItemsQuery = Static<typeof InputItemsQuery>

export const InputItemList = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(StoredInputItem),
  first_id: OrNull(Type.String()),
  last_id: OrNull(Type.String()),
  has_more: Type.Boolean()
}, { title: 'ResponseInputItemList' })
export type InputItemList = Static<typeof InputItemList>

export const DeletedResponse = Type.Object({
  id: Type.String(),
  object: Type.Literal('response'),
  deleted: Type.Literal(true)
}, { title: 'DeletedResponse' })

// ---------- embeddings ----------

export const EmbeddingsRequest = Type.Object({
  model: Type.String({ description: '`openclaw` or `openclaw/<agentId>`; the backend is memory.search or `x-openclaw-model`' }),
  input: Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 2048 })]),
  dimensions: Type.Optional(Type.Integer({ minimum: 1, maximum: 65536 })),
  encoding_format: Type.Optional(Enum(['float', 'base64'] as const)),
  user: Type.Optional(Type.Unknown())
}, { ...Open, title: 'EmbeddingsRequest' })
export type EmbeddingsRequest = Static<typeof EmbeddingsRequest>

export const EmbeddingsResponse = Type.Object({
  object: Type.Literal('list'),
  data: Type.Array(Type.Object({
    object: Type.Literal('embedding'),
    index: Type.Integer(),
    embedding: Type.Union([Type.Array(Type.Number()), Type.String()], { description: 'floats, or base64 of little-endian float32 when encoding_format is base64' })
  })),
  model: Type.String(),
  usage: Type.Object({ prompt_tokens: Type.Integer(), total_tokens: Type.Integer() })
}, { title: 'EmbeddingsResponse' })
export type EmbeddingsResponse = Static<typeof EmbeddingsResponse>

/** Friendly messages for union-typed fields, whose raw Ajv errors read badly (contract wording). */
const TOOL_CHOICE_MESSAGE = 'Invalid tool_choice: expected "auto", "none", "required" or a named function.'
export const FIELD_MESSAGES = {
  chat: {
    stop: 'Invalid stop: expected a string or an array of at most 4 strings.',
    tool_choice: TOOL_CHOICE_MESSAGE,
    response_format: 'Invalid response_format: expected {"type":"text"|"json_object"|"json_schema"}.',
    'messages[].content': 'Invalid message content: expected a string, null or an array of content parts.'
  },
  responses: {
    input: '`input` must be a string or a non-empty array of input items.',
    tool_choice: TOOL_CHOICE_MESSAGE
  },
  embeddings: {
    input: '`input` must be a string or an array of strings.',
    'required:model': 'Missing `model`.',
    'required:input': '`input` must be a string or an array of strings.'
  }
} satisfies Record<string, Record<string, string>>
