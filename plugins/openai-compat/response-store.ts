// Which session a stored response belongs to, so `previous_response_id`
// continues it. Bounded in count and age; lives in the plugin's closure and
// is lost on restart (a continuation after a restart answers 400).
import { LRUCache } from 'lru-cache'

export interface StoredResponse { sessionKey: string, agentId: string }

export interface ResponseStore {
  remember: (responseId: string, entry: StoredResponse) => void
  lookup: (responseId: string) => StoredResponse | undefined
  readonly size: number
}

export function createResponseStore (opts: { max?: number, ttlMs?: number, now?: () => number } = {}): ResponseStore {
  // ttlResolution 0: read the clock on every check rather than cache it behind a timer.
  const entries = new LRUCache<string, StoredResponse>({
    max: opts.max ?? 10_000,
    ttl: opts.ttlMs ?? 24 * 60 * 60_000,
    ttlResolution: 0,
    perf: { now: opts.now ?? Date.now }
  })
  return {
    remember (responseId, entry) { entries.set(responseId, { sessionKey: entry.sessionKey, agentId: entry.agentId }) },
    lookup (responseId) { return entries.get(responseId) },
    get size () { return entries.size }
  }
}
