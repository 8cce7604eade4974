// The `response` object of the Responses API (clients.md 2.4), written the
// same way for the JSON answer and for the lifecycle events of a stream.
import { randomUUID } from 'node:crypto'
import type { RunResult, ToolCall } from '../../src/agents/types.js'
import type { OutputFunctionCall, OutputMessage, ResponseObject, ResponsesRequest } from '../../schemas/openai.js'
import type { Static } from '@sinclair/typebox'
import { flat } from './flat-string.js'
import { itemId } from './response-items.js'

export type MessageItem = Static<typeof OutputMessage>
export type FunctionCallItem = Static<typeof OutputFunctionCall>
export type OutputItem = MessageItem | FunctionCallItem

/** What every snapshot of one response shares: its id, and the JSON of the fields it takes from the request. */
export interface ResponseMeta {
  readonly id: string
  /** Serialized once per response (see `snapshotJson`). */
  readonly json: { readonly head: string, readonly model: string, readonly request: string, readonly user: string }
}

export function responseMeta (id: string, createdAt: number, model: string, request: ResponsesRequest, store: boolean): ResponseMeta {
  // The id is ours (hex) and created_at an integer: neither needs JSON.stringify.
  const json = { head: `{"id":"${id}","object":"response","created_at":${createdAt},"status":`, model: JSON.stringify(model), request: requestJson(request, store), user: typeof request.user === 'string' ? `,"user":${JSON.stringify(request.user)}` : '' }
  return { id, json }
}

/** The fields from `instructions` to `tools`; a request that sets none of them (the usual) takes a constant. */
function requestJson (r: ResponsesRequest, store: boolean): string {
  if (r.instructions == null && r.metadata == null && r.temperature == null && r.top_p == null && r.max_output_tokens == null &&
    r.previous_response_id == null && r.tool_choice == null && r.tools == null) return store ? DEFAULT_REQUEST_STORED : DEFAULT_REQUEST_UNSTORED
  return JSON.stringify({
    instructions: r.instructions ?? null,
    metadata: r.metadata ?? {},
    parallel_tool_calls: true,
    temperature: r.temperature ?? null,
    top_p: r.top_p ?? null,
    max_output_tokens: r.max_output_tokens ?? null,
    previous_response_id: r.previous_response_id ?? null,
    store,
    tool_choice: r.tool_choice ?? 'auto',
    tools: r.tools ?? []
  }).slice(1, -1)
}
const defaultRequestJson = (store: boolean) => `"instructions":null,"metadata":{},"parallel_tool_calls":true,"temperature":null,"top_p":null,"max_output_tokens":null,"previous_response_id":null,"store":${store},"tool_choice":"auto","tools":[]`
const DEFAULT_REQUEST_STORED = defaultRequestJson(true)
const DEFAULT_REQUEST_UNSTORED = defaultRequestJson(false)

/**
 * `resp_` and the 32 hex digits of the run's id (a UUID), so that one id
 * names the request in the logs, the run events and the API; a fresh UUID
 * for a run id of another shape. Flat (slices, not replaceAll: ~3k
 * instructions less): it goes into every event and item id of a response.
 */
export function responseId (runId: string): string {
  const u = isUuid(runId) ? runId : randomUUID()
  return flat(`resp_${u.slice(0, 8)}${u.slice(9, 13)}${u.slice(14, 18)}${u.slice(19, 23)}${u.slice(24)}`)
}

/** A UUID as `randomUUID` writes it (lowercase hex). By char codes: the RegExp cost ~4.5k instructions per response (callgrind). */
export function isUuid (s: string): boolean {
  if (s.length !== 36) return false
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i)
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false
    } else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) {
      return false
    }
  }
  return true
}

/** `length` means the model hit max_output_tokens: the response is incomplete, not failed. */
export function completionOf (result: RunResult): { status: 'completed' | 'incomplete', reason: string | null } {
  if (result.toolCalls.length === 0 && result.stopReason === 'length') return { status: 'incomplete', reason: 'max_output_tokens' }
  if (result.stopReason === 'content_filter') return { status: 'incomplete', reason: 'content_filter' }
  return { status: 'completed', reason: null }
}

export function messageItem (id: string, text: string, status: MessageItem['status']): MessageItem {
  return { type: 'message', id, status, role: 'assistant', content: status === 'in_progress' && text === '' ? [] : [{ type: 'output_text', text, annotations: [] }] }
}

export function functionCallItem (id: string, call: ToolCall, status: FunctionCallItem['status'], args = call.arguments): FunctionCallItem {
  return { type: 'function_call', id, call_id: call.id, name: call.name, arguments: args, status }
}

/** The output of a finished run: its text as one message, then the pending client tool calls. */
export function outputOf (result: RunResult, responseId: string): OutputItem[] {
  const { status } = completionOf(result)
  const items: OutputItem[] = []
  if (result.text !== '') items.push(messageItem(itemId(responseId, 'msg', 'o', 0), result.text, status === 'completed' ? 'completed' : 'incomplete'))
  for (const call of result.toolCalls) items.push(functionCallItem(itemId(responseId, 'fc', 'o', items.length), call, 'completed'))
  return items
}

export interface SnapshotState {
  status: ResponseObject['status']
  output?: OutputItem[]
  /** `output` and `output_text` as JSON, when the caller has written them already (a stream, in its item events). */
  outputJson?: { items: string, text: string }
  result?: RunResult
  error?: { code: string, message: string }
  incompleteReason?: string | null
}

/**
 * The response object (`ResponseObject`, fields in its order) as JSON,
 * written from templates: every response is serialized once or twice (a
 * stream's first and last events), and on Node 20 JSON.stringify (or the
 * route's compiled serializer) of the object cost ~14k instructions, most
 * of them on its 20 keys. The test holds it to JSON.stringify of the object.
 */
export function snapshotJson (meta: ResponseMeta, state: SnapshotState): string {
  const { items, text } = state.outputJson ?? outputJson(state.output ?? [])
  const { head, model, request, user } = meta.json
  const error = state.error !== undefined ? JSON.stringify(state.error) : 'null'
  const incomplete = state.incompleteReason !== undefined && state.incompleteReason !== null ? `{"reason":${JSON.stringify(state.incompleteReason)}}` : 'null'
  return `${head}"${state.status}","model":${model},"output":[${items}],"output_text":${text},"error":${error},"incomplete_details":${incomplete},${request},"usage":${state.result !== undefined ? usageJson(state.result) : 'null'}${user}}`
}

const NO_OUTPUT = { items: '', text: '""' }

/** The output items (without their brackets) and `output_text`, as JSON. */
function outputJson (output: readonly OutputItem[]): { items: string, text: string } {
  if (output.length === 0) return NO_OUTPUT
  let items = ''
  // output_text joins the messages' texts; one text (the usual) shares its JSON with its message.
  const texts: string[] = []
  let oneTextJson = '""'
  for (const item of output) {
    if (items !== '') items += ','
    if (item.type !== 'message') { items += JSON.stringify(item); continue }
    const part = item.content.length === 1 ? item.content[0]! : undefined
    if (item.content.length === 0 || (part !== undefined && part.type === 'output_text' && part.annotations.length === 0 && Object.keys(part).length === 3)) {
      if (part !== undefined) oneTextJson = JSON.stringify(part.text)
      // Item ids are ours (hex), statuses an enum: neither needs escaping.
      items += `{"type":"message","id":"${item.id}","status":"${item.status}","role":"assistant","content":${part === undefined ? '[]' : `[{"type":"output_text","text":${oneTextJson},"annotations":[]}]`}}`
    } else {
      oneTextJson = ''
      items += JSON.stringify(item)
    }
    for (const c of item.content) texts.push(c.text)
  }
  const text = texts.length === 0 ? '""' : texts.length === 1 && oneTextJson !== '' ? oneTextJson : JSON.stringify(texts.join(''))
  return { items, text }
}

function usageJson (result: RunResult): string {
  const u = result.usage
  return `{"input_tokens":${num(u.inputTokens)},"input_tokens_details":{"cached_tokens":0},"output_tokens":${num(u.outputTokens)},"output_tokens_details":{"reasoning_tokens":0},"total_tokens":${num(u.totalTokens)}}`
}

/** A number as JSON writes it. */
function num (n: number): string {
  return Number.isFinite(n) ? `${n}` : 'null'
}
