// Which session a stored response belongs to, so `previous_response_id`
// continues it. Bounded in count and age; lives in the plugin's closure and
// is lost on restart (a continuation after a restart answers 400).
export interface StoredResponse { sessionKey: string, agentId: string }

export interface ResponseStore {
  remember: (responseId: string, entry: StoredResponse) => void
  lookup: (responseId: string) => StoredResponse | undefined
  readonly size: number
}

export function createResponseStore (opts: { max?: number, ttlMs?: number, now?: () => number } = {}): ResponseStore {
  const max = opts.max ?? 10_000
  const ttlMs = opts.ttlMs ?? 24 * 60 * 60_000
  const now = opts.now ?? Date.now
  // Map iteration order is insertion order: the first key is the oldest.
  const entries = new Map<string, StoredResponse & { at: number }>()
  return {
    remember (responseId, entry) {
      entries.delete(responseId)
      entries.set(responseId, { ...entry, at: now() })
      while (entries.size > max) entries.delete(entries.keys().next().value!)
    },
    lookup (responseId) {
      const hit = entries.get(responseId)
      if (hit === undefined) return undefined
      if (now() - hit.at > ttlMs) { entries.delete(responseId); return undefined }
      return { sessionKey: hit.sessionKey, agentId: hit.agentId }
    },
    get size () { return entries.size }
  }
}
