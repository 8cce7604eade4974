// Provider event sequences for assertions: drained whole, compared across delivery modes.
import assert from 'node:assert/strict'
import { preencode, type ModelRequest, type ProviderAdapter, type StreamEvent } from '../../src/providers/index.js'
import type { FakeUpstream } from './fake-upstream.js'

/** Every event of one call, through the adapter's one path (`streamTo`). */
export async function collect (provider: ProviderAdapter, req: ModelRequest): Promise<StreamEvent[]> {
  const events: StreamEvent[] = []
  await provider.streamTo(req, (batch) => { events.push(...batch) })
  return events
}

/**
 * The events of an answer minus what depends on how it was delivered, to compare a streamed
 * echo with a JSON one: adjacent deltas joined (the echo streams text word by word) and echo
 * call ids without their request number.
 */
export function comparableEvents (events: StreamEvent[]): StreamEvent[] {
  const out: StreamEvent[] = []
  for (const event of events) {
    const last = out.at(-1)
    if (event.type === 'text-delta' && last?.type === 'text-delta') {
      out[out.length - 1] = { type: 'text-delta', text: last.text + event.text }
    } else if (event.type === 'tool-call-delta' && last?.type === 'tool-call-delta' && last.index === event.index) {
      out[out.length - 1] = { ...last, argumentsDelta: last.argumentsDelta + event.argumentsDelta }
    } else if (event.type === 'tool-call-start') {
      out.push({ ...event, id: event.id.replace(/^call_echo_\d+$/, 'call_echo') })
    } else {
      out.push(event)
    }
  }
  return out
}

/** The same request streamed, then as one whole answer: both event lists and the whole request's body. */
export async function bothWays (provider: ProviderAdapter, upstream: FakeUpstream, req: ModelRequest): Promise<{ streamed: StreamEvent[], whole: StreamEvent[], body: any }> {
  const streamed = await collect(provider, req)
  const whole = await collect(provider, { ...req, stream: false })
  return { streamed, whole, body: upstream.lastRequest().body }
}

/** What the echo model answers to "same either way", as whole-answer events (every API alike). */
export const ECHO_TEXT_EVENTS: readonly StreamEvent[] = [
  { type: 'text-delta', text: 'echo: same either way' },
  { type: 'usage', usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 } },
  { type: 'done', stopReason: 'stop' }
]

/** What it answers to `call get_weather {"city":"Oslo"}` with that tool offered, ids made comparable. */
export const ECHO_WEATHER_CALL_EVENTS: readonly StreamEvent[] = [
  { type: 'tool-call-start', index: 0, id: 'call_echo', name: 'get_weather' },
  { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":"Oslo"}' },
  { type: 'usage', usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 } },
  { type: 'done', stopReason: 'tool_calls' }
]

/** What the engine hands every call of an agent: one Preencoded system prompt and one Preencoded tool list. */
export const SHARED_SYSTEM = 'You are main.\n\n## SOUL.md\n\nBe "terse" ✓.'
export const SHARED_TOOLS = [{ name: 'read', description: 'Reads a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } }]

/**
 * Two calls that share the Preencoded parts, each with its own user text: the
 * wire body of each must be `expected(text)` (the parts' wire form is encoded
 * once and reused, so the second call is the one that could go stale). The
 * same parts as plain values must give the same body.
 */
export async function sharedPartsTwice (provider: ProviderAdapter, upstream: FakeUpstream, model: string, enqueue: () => void, expected: (text: string) => unknown): Promise<void> {
  const system = preencode(SHARED_SYSTEM)
  const tools = preencode(SHARED_TOOLS)
  for (const text of ['first', 'second']) {
    enqueue()
    await collect(provider, { model, system, messages: [{ role: 'user', content: text }], tools })
    assert.deepEqual(upstream.lastRequest().body, expected(text))
  }
  enqueue()
  await collect(provider, { model, system: SHARED_SYSTEM, messages: [{ role: 'user', content: 'plain' }], tools: SHARED_TOOLS })
  assert.deepEqual(upstream.lastRequest().body, expected('plain'))
}
