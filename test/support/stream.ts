// Drains a provider stream into an array, for assertions on the whole event sequence.
import type { StreamEvent } from '../../src/providers/index.js'

export async function collect (stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = []
  for await (const event of stream) events.push(event)
  return events
}
