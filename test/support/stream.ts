// Provider event sequences for assertions: drained whole, compared across delivery modes.
import assert from 'node:assert/strict'
import type { ModelRequest, ProviderAdapter, StreamEvent } from '../../src/providers/index.js'
import type { FakeUpstream } from './fake-upstream.js'

export async function collect (stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = []
  for await (const event of stream) events.push(event)
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
  const streamed = await collect(provider.stream(req))
  const whole = await collect(provider.stream({ ...req, stream: false }))
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

/** What the engine hands every call of an agent: one frozen system message and one frozen tool list. */
export const FROZEN_SYSTEM = Object.freeze({ role: 'system' as const, content: 'You are main.\n\n## SOUL.md\n\nBe "terse" ✓.' })
export const FROZEN_TOOLS = Object.freeze([{ name: 'read', description: 'Reads a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } }])

/**
 * Two calls that share the frozen parts, each with its own user text: the
 * wire body of each must be `expected(text)` (the frozen parts are encoded
 * once and reused, so the second call is the one that could go stale).
 */
export async function frozenPartsTwice (provider: ProviderAdapter, upstream: FakeUpstream, model: string, enqueue: () => void, expected: (text: string) => unknown): Promise<void> {
  for (const text of ['first', 'second']) {
    enqueue()
    await collect(provider.stream({ model, messages: [FROZEN_SYSTEM, { role: 'user', content: text }], tools: FROZEN_TOOLS }))
    assert.deepEqual(upstream.lastRequest().body, expected(text))
  }
}
