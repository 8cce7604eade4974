// Replays what real clients send on first connect (spec/clients.md 1.1-1.2)
// and checks exactly what each of them reads from the answers.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import OpenAI from 'openai'
import { startHttpGateway } from './support/http-gateway.js'

/** Open WebUI's SSE loop (middleware stream_body_handler): `data:` lines only, JSON, [DONE] ends. */
async function openWebUiStream (res: Response): Promise<{ content: string, usage: any, done: boolean }> {
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/, 'Open WebUI detects streams by content type')
  let content = ''
  let usage: any
  let done = false
  for (const line of (await res.text()).split('\n')) {
    if (!line.startsWith('data:')) continue
    const data = line.slice(5).trim()
    if (data === '[DONE]') { done = true; break }
    const chunk = JSON.parse(data)
    assert.equal(chunk.error, undefined)
    content += chunk.choices[0]?.delta?.content ?? ''
    if (line.includes('"usage"')) usage = chunk.usage
  }
  return { content, usage, done }
}

test('Open WebUI: model list, streamed chat with its extras, background title call', async (t) => {
  const { fetch } = await startHttpGateway(t)
  const owuiHeaders = { 'X-OpenWebUI-User-Name': 'Ada', 'X-OpenWebUI-User-Id': 'u-1', 'X-OpenWebUI-User-Email': 'ada@example.com', 'X-OpenWebUI-User-Role': 'admin' }

  // Connection verify + model discovery: a JSON object with `data`, each entry with an id.
  const models = await fetch('/v1/models', { headers: owuiHeaders })
  assert.equal(models.status, 200)
  const list = await models.json() as any
  assert.ok(Array.isArray(list.data) && list.data.every((m: any) => typeof m.id === 'string' && !('error' in m)))

  // Chat: include_usage forced on, reasoning/metadata extras, a `user` object (pipelines), cache_control on the last part.
  const res = await fetch('/v1/chat/completions', {
    headers: { ...owuiHeaders, 'X-OpenWebUI-Chat-Id': 'chat-9' },
    json: {
      model: list.data[0].id,
      stream: true,
      stream_options: { include_usage: true },
      reasoning: { effort: 'low' },
      metadata: { chat_id: 'chat-9' },
      user: { name: 'Ada', id: 'u-1', email: 'ada@example.com', role: 'admin' },
      logit_bias: {},
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: [{ type: 'text', text: 'hello webui', cache_control: { type: 'ephemeral' } }] }
      ]
    }
  })
  const streamed = await openWebUiStream(res)
  assert.equal(streamed.content, 'echo: hello webui')
  assert.equal(streamed.done, true)
  assert.deepEqual(streamed.usage, { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 })

  // Title/tag generation: non-streaming, reads choices[0].message.content.
  const title = await fetch('/v1/chat/completions', { json: { model: 'openclaw', stream: false, messages: [{ role: 'user', content: 'Generate a title' }] } })
  assert.match(title.headers.get('content-type') ?? '', /^application\/json/)
  assert.equal(((await title.json()) as any).choices[0].message.content, 'echo: Generate a title')
})

test('LibreChat: fetchModels, a default-params streamed chat through ChatCompletionStream, the system-only title', async (t) => {
  const { fetch, baseURL, token, gw } = await startHttpGateway(t)

  // fetchModels(): GET ${baseURL}/models with Bearer, reads res.data.data.map(i => i.id).
  const models = await (await fetch('/v1/models', { signal: AbortSignal.timeout(5000) })).json() as any
  const ids: string[] = models.data.map((i: any) => i.id)
  assert.ok(ids.includes('openclaw'))

  // The chat: LibreChat's default params and its user id, consumed by the SDK helper that checks role/finish_reason.
  const client = new OpenAI({ apiKey: token!, baseURL, maxRetries: 0 })
  const stream = client.chat.completions.stream({
    model: 'openclaw',
    temperature: 1,
    top_p: 1,
    presence_penalty: 0,
    frequency_penalty: 0,
    user: 'librechat-user-42',
    messages: [{ role: 'system', content: 'Preset instructions', name: 'preset' } as any, { role: 'user', content: 'hello librechat' }]
  })
  const final = await stream.finalChatCompletion()
  assert.equal(final.choices[0]!.message.content, 'echo: hello librechat')
  assert.equal(final.choices[0]!.finish_reason, 'stop')
  assert.equal((await gw.app.sessions.history('agent:main:openai-user:librechat-user-42')).length, 2)

  // Title: system-message-only array, empty user, max_tokens 16.
  const title = await client.chat.completions.create({
    model: 'openclaw',
    user: '',
    temperature: 0.2,
    presence_penalty: 0,
    frequency_penalty: 0,
    max_tokens: 16,
    messages: [{ role: 'system', content: 'Please generate a concise, 5-word-or-less title for the conversation' }]
  })
  assert.match(title.choices[0]!.message.content ?? '', /^echo: Please generate/)
})
