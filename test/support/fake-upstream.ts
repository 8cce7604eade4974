// A scriptable model server on 127.0.0.1:<random port> for hermetic tests.
// Queue replies with `enqueue` (FIFO, optionally per path); with nothing queued it acts as a
// deterministic "echo" model for /chat/completions, /responses, /v1/messages and /embeddings.
// The echo answers as an event stream when the request asks for one (`stream: true`), else as one JSON body.

import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  /** Client port of the TCP connection; equal ports on consecutive requests mean keep-alive reuse. */
  remotePort: number
  rawBody: string
  /** Parsed JSON body, or undefined when it was not JSON. */
  body: any
  /** Settles when the response socket closes; `early` means it closed before we finished writing. */
  closed: Promise<{ early: boolean }>
}

/** A string is written verbatim (bring your own "\n\n"); an object becomes `event:`/`data:` lines. */
export type SseFrame = string | { event?: string, data: unknown }

type Common = { path?: string, status?: number, headers?: Record<string, string>, delayBeforeMs?: number }
export type FakeReply =
  | (Common & { type: 'sse', frames: SseFrame[], delayMs?: number, after?: 'end' | 'destroy' | 'hang' })
  | (Common & { type: 'json', body: unknown })
  | (Common & { type: 'text', body: string, contentType?: string })
  | (Common & { type: 'destroy' })
  | (Common & { type: 'echo' })
  | (Common & { type: 'custom', handle: (req: RecordedRequest, res: ServerResponse) => void | Promise<void> })

export interface FakeUpstream {
  /** http://127.0.0.1:<port> — the Anthropic-style base URL. */
  readonly url: string
  /** `${url}/v1` — the OpenAI-style base URL. */
  readonly openaiBaseUrl: string
  readonly requests: RecordedRequest[]
  enqueue(...replies: FakeReply[]): void
  lastRequest(): RecordedRequest
  close(): Promise<void>
}

export async function startFakeUpstream (): Promise<FakeUpstream> {
  const queue: FakeReply[] = []
  const requests: RecordedRequest[] = []
  const stop = new AbortController()

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8')
      const closed = new Promise<{ early: boolean }>((resolve) =>
        res.on('close', () => resolve({ early: !res.writableFinished }))
      )
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        remotePort: req.socket.remotePort ?? 0,
        rawBody,
        body: tryJson(rawBody),
        closed
      }
      requests.push(recorded)
      const at = queue.findIndex((r) => r.path === undefined || recorded.path.endsWith(r.path))
      const reply = at === -1 ? ({ type: 'echo' } as const) : queue.splice(at, 1)[0]
      respond(reply, recorded, res, stop.signal, requests.length).catch(() => res.destroy())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`

  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    requests,
    enqueue: (...replies) => { queue.push(...replies) },
    lastRequest () {
      const last = requests.at(-1)
      if (!last) throw new Error('fake upstream has received no requests')
      return last
    },
    async close () {
      stop.abort()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

function tryJson (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export function sseFrame (frame: SseFrame): string {
  if (typeof frame === 'string') return frame
  const data = typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data)
  return `${frame.event ? `event: ${frame.event}\n` : ''}data: ${data}\n\n`
}

async function respond (
  reply: FakeReply,
  req: RecordedRequest,
  res: ServerResponse,
  signal: AbortSignal,
  seq: number
): Promise<void> {
  if (reply.delayBeforeMs) await sleep(reply.delayBeforeMs, undefined, { signal })
  const headers = reply.headers ?? {}
  switch (reply.type) {
    case 'destroy':
      res.socket?.destroy()
      return
    case 'json':
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...headers })
      res.end(JSON.stringify(reply.body))
      return
    case 'text':
      res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'text/plain', ...headers })
      res.end(reply.body)
      return
    case 'custom':
      return reply.handle(req, res)
    case 'echo':
      return respond(echoReply(req, seq), req, res, signal, seq)
    case 'sse': {
      res.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers })
      res.flushHeaders()
      for (const frame of reply.frames) {
        if (res.destroyed) return
        // Waiting for the flush matters for `after: 'destroy'`: destroy() drops unflushed writes.
        await new Promise<void>((resolve) => res.write(sseFrame(frame), () => resolve()))
        if (reply.delayMs) await sleep(reply.delayMs, undefined, { signal })
      }
      if (reply.after === 'destroy') res.socket?.destroy()
      else if (reply.after !== 'hang') res.end()
    }
  }
}

// ---------- stream builders: what each API sends for a given answer ----------

export interface ScriptedAnswer {
  /** Text deltas, in order (a string is one delta). */
  text?: string | string[]
  toolCalls?: { id: string, name: string, arguments: string | string[] }[]
  usage?: { input: number, output: number }
  /** Wire-level finish/stop reason; defaults follow from toolCalls. */
  stopReason?: string
}

const deltas = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

export function openAiChatFrames (a: ScriptedAnswer, model = 'fake-model'): SseFrame[] {
  const chunk = (delta: object, finish: string | null = null) => ({
    data: { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] }
  })
  const frames: SseFrame[] = [chunk({ role: 'assistant', content: '' })]
  for (const text of deltas(a.text)) frames.push(chunk({ content: text }));
  (a.toolCalls ?? []).forEach((call, index) => {
    frames.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }))
    for (const part of deltas(call.arguments)) frames.push(chunk({ tool_calls: [{ index, function: { arguments: part } }] }))
  })
  frames.push(chunk({}, a.stopReason ?? (a.toolCalls?.length ? 'tool_calls' : 'stop')))
  if (a.usage) {
    const usage = { prompt_tokens: a.usage.input, completion_tokens: a.usage.output, total_tokens: a.usage.input + a.usage.output }
    frames.push({ data: { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 0, model, choices: [], usage } })
  }
  frames.push('data: [DONE]\n\n')
  return frames
}

export function responsesFrames (a: ScriptedAnswer): SseFrame[] {
  const ev = (type: string, rest: object): SseFrame => ({ event: type, data: { type, ...rest } })
  const frames: SseFrame[] = [ev('response.created', { response: { id: 'resp_fake', status: 'in_progress' } })]
  let out = 0
  if (a.text !== undefined) {
    frames.push(ev('response.output_item.added', { output_index: out, item: { type: 'message', id: 'msg_fake', role: 'assistant' } }))
    for (const text of deltas(a.text)) frames.push(ev('response.output_text.delta', { output_index: out, content_index: 0, delta: text }))
    out++
  }
  for (const call of a.toolCalls ?? []) {
    const item = { type: 'function_call', id: `fc_${call.id}`, call_id: call.id, name: call.name, arguments: '' }
    frames.push(ev('response.output_item.added', { output_index: out, item }))
    for (const part of deltas(call.arguments)) {
      frames.push(ev('response.function_call_arguments.delta', { output_index: out, item_id: item.id, delta: part }))
    }
    out++
  }
  const incomplete = a.stopReason === 'max_output_tokens' || a.stopReason === 'content_filter'
  const usage = a.usage && { input_tokens: a.usage.input, output_tokens: a.usage.output, total_tokens: a.usage.input + a.usage.output }
  const response = incomplete
    ? { id: 'resp_fake', status: 'incomplete', incomplete_details: { reason: a.stopReason }, usage }
    : { id: 'resp_fake', status: 'completed', usage }
  frames.push(ev(incomplete ? 'response.incomplete' : 'response.completed', { response }))
  return frames
}

export function anthropicFrames (a: ScriptedAnswer, model = 'fake-claude'): SseFrame[] {
  const ev = (type: string, rest: object): SseFrame => ({ event: type, data: { type, ...rest } })
  const frames: SseFrame[] = [
    ev('message_start', { message: { id: 'msg_fake', type: 'message', role: 'assistant', model, content: [], usage: { input_tokens: a.usage?.input ?? 0, output_tokens: 1 } } }),
    ev('ping', {})
  ]
  let block = 0
  if (a.text !== undefined) {
    frames.push(ev('content_block_start', { index: block, content_block: { type: 'text', text: '' } }))
    for (const text of deltas(a.text)) frames.push(ev('content_block_delta', { index: block, delta: { type: 'text_delta', text } }))
    frames.push(ev('content_block_stop', { index: block++ }))
  }
  for (const call of a.toolCalls ?? []) {
    frames.push(ev('content_block_start', { index: block, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }))
    for (const part of deltas(call.arguments)) {
      frames.push(ev('content_block_delta', { index: block, delta: { type: 'input_json_delta', partial_json: part } }))
    }
    frames.push(ev('content_block_stop', { index: block++ }))
  }
  const stop = a.stopReason ?? (a.toolCalls?.length ? 'tool_use' : 'end_turn')
  frames.push(ev('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: a.usage?.output ?? 0 } }))
  frames.push(ev('message_stop', {}))
  return frames
}

// ---------- the echo model ----------

/** Deterministic unit vector for `text`; the echo /embeddings endpoint returns exactly this. */
export function fakeEmbedding (text: string, dimensions = 8): number[] {
  const raw: number[] = []
  for (let d = 0; d < dimensions; d++) {
    let h = 0x811c9dc5 ^ d
    for (const ch of `${d}:${text}`) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193) >>> 0
    raw.push((h / 0xffffffff) * 2 - 1)
  }
  const norm = Math.hypot(...raw) || 1
  return raw.map((x) => x / norm)
}

export const countWords = (text: string): number => text.split(/\s+/).filter(Boolean).length

type Turn = { role: string, text: string, toolResult?: string }

/** Flattens the three wire formats into role/text turns, which is all the echo model needs. */
function turnsOf (path: string, body: any): Turn[] {
  const textOf = (c: any): string =>
    typeof c === 'string' ? c : Array.isArray(c) ? c.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('') : ''
  if (path.endsWith('/responses')) {
    const input = typeof body?.input === 'string' ? [{ role: 'user', content: body.input }] : (body?.input ?? [])
    return input.map((item: any) =>
      item.type === 'function_call_output'
        ? { role: 'tool', text: '', toolResult: String(item.output) }
        : { role: item.role ?? item.type, text: textOf(item.content) }
    )
  }
  return (body?.messages ?? []).map((m: any) => {
    if (m.role === 'tool') return { role: 'tool', text: '', toolResult: textOf(m.content) }
    const result = Array.isArray(m.content) ? m.content.find((b: any) => b?.type === 'tool_result') : undefined
    return result ? { role: 'tool', text: '', toolResult: textOf(result.content) } : { role: m.role, text: textOf(m.content) }
  })
}

/**
 * The echo model's answer: after a tool result, "tool result: <output>"; for a user message
 * "call <tool> <json>" naming an offered tool, a call to it; otherwise "echo: <last user text>".
 */
export function echoAnswer (path: string, body: any, seq = 1): ScriptedAnswer {
  const turns = turnsOf(path, body)
  const last = turns.at(-1)
  const toolNames: string[] = (body?.tools ?? []).map((t: any) => t?.function?.name ?? t?.name)
  if (last?.toolResult !== undefined) {
    const text = `tool result: ${last.toolResult}`
    return { text: text.split(/(?<= )/), usage: { input: countWords(last.toolResult), output: countWords(text) } }
  }
  const userText = [...turns].reverse().find((t) => t.role === 'user')?.text ?? ''
  const call = /^call\s+([\w.-]+)\s*(\{[\s\S]*\})?\s*$/.exec(userText)
  if (call && toolNames.includes(call[1])) {
    return { toolCalls: [{ id: `call_echo_${seq}`, name: call[1], arguments: call[2] ?? '{}' }], usage: { input: countWords(userText), output: 1 } }
  }
  const text = `echo: ${userText}`
  return { text: text.split(/(?<= )/), usage: { input: countWords(userText), output: countWords(text) } }
}

function echoReply (req: RecordedRequest, seq: number): FakeReply {
  const path = req.path.split('?')[0]
  const body = req.body
  if (path.endsWith('/embeddings')) {
    const inputs: string[] = Array.isArray(body?.input) ? body.input : [String(body?.input ?? '')]
    const tokens = inputs.reduce((n, s) => n + countWords(s), 0)
    const data = inputs.map((s, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(s, body?.dimensions ?? 8) }))
    return { type: 'json', body: { object: 'list', model: body?.model, data, usage: { prompt_tokens: tokens, total_tokens: tokens } } }
  }
  if (path.endsWith('/models') && req.method === 'GET') {
    return { type: 'json', body: { object: 'list', data: [{ id: 'echo-model', object: 'model', created: 0, owned_by: 'fake' }] } }
  }
  const answer = echoAnswer(path, body, seq)
  if (path.endsWith('/responses')) {
    if (body?.stream) return { type: 'sse', frames: responsesFrames(answer) }
    return { type: 'json', body: responsesJson(answer) }
  }
  if (path.endsWith('/messages')) {
    if (body?.stream) return { type: 'sse', frames: anthropicFrames(answer, body?.model) }
    return { type: 'json', body: anthropicJson(answer, body?.model) }
  }
  if (path.endsWith('/chat/completions')) {
    if (body?.stream) return { type: 'sse', frames: openAiChatFrames(answer, body?.model) }
    return { type: 'json', body: chatCompletionJson(answer, body?.model) }
  }
  return { type: 'json', status: 404, body: { error: { message: `no route ${path}`, type: 'invalid_request_error' } } }
}

// ---------- non-stream builders: the same answers as one JSON body ----------

export function chatCompletionJson (a: ScriptedAnswer, model = 'fake-model'): object {
  const calls = (a.toolCalls ?? []).map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: deltas(c.arguments).join('') } }))
  const message = { role: 'assistant', content: a.text === undefined ? null : deltas(a.text).join(''), ...(calls.length ? { tool_calls: calls } : {}) }
  const usage = a.usage ?? { input: 0, output: 0 }
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 0,
    model,
    choices: [{ index: 0, message, finish_reason: calls.length ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output }
  }
}

export function responsesJson (a: ScriptedAnswer): object {
  const output: object[] = []
  if (a.text !== undefined) {
    const content = [{ type: 'output_text', text: deltas(a.text).join(''), annotations: [] }]
    output.push({ type: 'message', id: 'msg_fake', status: 'completed', role: 'assistant', content })
  }
  for (const call of a.toolCalls ?? []) {
    const args = deltas(call.arguments).join('')
    output.push({ type: 'function_call', id: `fc_${call.id}`, call_id: call.id, name: call.name, arguments: args, status: 'completed' })
  }
  const incomplete = a.stopReason === 'max_output_tokens' || a.stopReason === 'content_filter'
  const usage = a.usage ? { input_tokens: a.usage.input, output_tokens: a.usage.output, total_tokens: a.usage.input + a.usage.output } : null
  return {
    id: 'resp_fake',
    object: 'response',
    created_at: 0,
    status: incomplete ? 'incomplete' : 'completed',
    incomplete_details: incomplete ? { reason: a.stopReason } : null,
    error: null,
    output,
    usage
  }
}

export function anthropicJson (a: ScriptedAnswer, model = 'fake-claude'): object {
  const content: object[] = []
  if (a.text !== undefined) content.push({ type: 'text', text: deltas(a.text).join('') })
  for (const call of a.toolCalls ?? []) {
    // The wire carries the input as an object; scripted arguments that are not a JSON object become {}.
    const input = tryJson(deltas(call.arguments).join(''))
    const object = typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: object })
  }
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: a.stopReason ?? (a.toolCalls?.length ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: { input_tokens: a.usage?.input ?? 0, output_tokens: a.usage?.output ?? 0 }
  }
}
