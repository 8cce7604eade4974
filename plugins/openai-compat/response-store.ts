// Stored responses (`store` not false): one JSON file per response under
// <stateDir>/responses, named `<createdAtMs>-<id>.json` so a start-up reads
// only the directory listing. Bounded in count and age (read per call, so a
// reload applies); writes leave the request path and run concurrently, each
// file's own operations in order.
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { LRUCache } from 'lru-cache'
import type { GatewayConfig } from '../../schemas/config.js'
import type { ResponseObject, StoredInputItem } from '../../schemas/openai.js'

export interface StoredResponse {
  id: string
  /** Milliseconds since the epoch (the response's `created_at` is in seconds). */
  createdAtMs: number
  agentId: string
  sessionKey: string
  /** Whether the run was written to its session: a continuation then reads the transcript, else this chain of records. */
  persisted: boolean
  response: ResponseObject
  /** The request's input items, each with its id, item references resolved. */
  input: StoredInputItem[]
}

export interface StoreLimits { maxResponses: number, maxAgeMs: number }

/** `gateway.http.endpoints.responses.store`: 10,000 responses for 30 days unless set. */
export function storeLimits (config: Readonly<GatewayConfig>): StoreLimits {
  const s = config.gateway?.http?.endpoints?.responses?.store
  return { maxResponses: s?.maxResponses ?? 10_000, maxAgeMs: (s?.maxAgeSeconds ?? 30 * 24 * 3600) * 1000 }
}

export interface ResponseStore {
  /** Kept in memory at once, on disk shortly after. */
  save: (record: StoredResponse) => void
  get: (id: string) => Promise<StoredResponse | undefined>
  /** False when there was no such (live) response. */
  delete: (id: string) => Promise<boolean>
  /** Resolves once every queued write has reached the disk. */
  flush: () => Promise<void>
  readonly size: number
}

export interface ResponseStoreOptions {
  dir: string
  limits: () => StoreLimits
  now: () => number
  onError: (err: unknown, op: string) => void
}

const FILE = /^(\d+)-(resp_[0-9a-f]{32})\.json$/
export const RESPONSE_ID = /^resp_[0-9a-f]{32}$/

export async function openResponseStore (opts: ResponseStoreOptions): Promise<ResponseStore> {
  await mkdir(opts.dir, { recursive: true, mode: 0o700 })
  // Oldest first: the Map keeps insertion order, so eviction takes from its head.
  const index = new Map<string, number>()
  const names = (await readdir(opts.dir)).flatMap((name) => {
    const m = FILE.exec(name)
    return m === null ? [] : [{ id: m[2]!, createdAtMs: Number(m[1]) }]
  }).sort((a, b) => a.createdAtMs - b.createdAtMs)
  for (const n of names) index.set(n.id, n.createdAtMs)
  return new FileResponseStore(opts, index)
}

class FileResponseStore implements ResponseStore {
  /** Recent records, so a continuation right after its response never reads the disk. */
  private readonly recent = new LRUCache<string, StoredResponse>({ max: 512 })
  /** The last queued file operation per response: a delete waits for its write. */
  private readonly pending = new Map<string, Promise<void>>()

  constructor (private readonly opts: ResponseStoreOptions, private readonly index: Map<string, number>) {
    this.prune()
  }

  get size (): number { return this.index.size }

  save (record: StoredResponse): void {
    this.index.set(record.id, record.createdAtMs)
    this.recent.set(record.id, record)
    const file = this.file(record.id, record.createdAtMs)
    this.enqueue(record.id, 'write', async () => {
      // Deleted or evicted before its turn: nothing to write.
      if (this.index.get(record.id) !== record.createdAtMs) return
      const tmp = `${file}.${process.pid}.tmp`
      await writeFile(tmp, JSON.stringify(record), { mode: 0o600 })
      await rename(tmp, file)
    })
    this.prune()
  }

  async get (id: string): Promise<StoredResponse | undefined> {
    const createdAtMs = this.index.get(id)
    if (createdAtMs === undefined) return undefined
    if (createdAtMs < this.opts.now() - this.opts.limits().maxAgeMs) {
      this.drop(id, createdAtMs)
      return undefined
    }
    const hit = this.recent.get(id)
    if (hit !== undefined) return hit
    // A write still queued is in `recent`; anything else is on disk (or lost with a crash).
    try {
      const record = JSON.parse(await readFile(this.file(id, createdAtMs), 'utf8')) as StoredResponse
      if (this.index.get(id) !== createdAtMs) return undefined
      this.recent.set(id, record)
      return record
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.opts.onError(err, 'read')
      this.index.delete(id)
      return undefined
    }
  }

  async delete (id: string): Promise<boolean> {
    const record = await this.get(id)
    if (record === undefined) return false
    this.drop(id, record.createdAtMs)
    return true
  }

  async flush (): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending.values())
  }

  /** Evicts the oldest past the count limit and everything past the age limit. */
  private prune (): void {
    const { maxResponses, maxAgeMs } = this.opts.limits()
    const oldest = this.opts.now() - maxAgeMs
    for (const [id, createdAtMs] of this.index) {
      if (this.index.size <= maxResponses && createdAtMs >= oldest) break
      this.drop(id, createdAtMs)
    }
  }

  private drop (id: string, createdAtMs: number): void {
    this.index.delete(id)
    this.recent.delete(id)
    const file = this.file(id, createdAtMs)
    this.enqueue(id, 'delete', async () => {
      await unlink(file).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err })
    })
  }

  private enqueue (id: string, op: string, task: () => Promise<void>): void {
    const done: Promise<void> = (this.pending.get(id) ?? Promise.resolve()).then(task)
      .catch((err: unknown) => { this.opts.onError(err, op) })
      .finally(() => { if (this.pending.get(id) === done) this.pending.delete(id) })
    this.pending.set(id, done)
  }

  private file (id: string, createdAtMs: number): string {
    return path.join(this.opts.dir, `${createdAtMs}-${id}.json`)
  }
}
