// Stored responses (`store` not false), bounded in count and age (read per
// call, so a reload applies) and kept on disk as an append-only log under
// <stateDir>/responses: segment files of JSON lines, a record per saved
// response and a `{"drop":id}` line per deletion or eviction. Saves leave the
// request path: what one loop turn saves is appended after it, in one write. Segments are deleted oldest first once none of their records is
// live (a younger one may hold the drop lines of older ones); start-up replays them.
import { close as closeFd, open as openFd, write as writeFd } from 'node:fs'
import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises'
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
  /** Kept in memory at once, on disk after the current loop turn. */
  save: (record: StoredResponse) => void
  get: (id: string) => Promise<StoredResponse | undefined>
  /** False when there was no such (live) response. */
  delete: (id: string) => Promise<boolean>
  /** Resolves once everything saved so far is on disk. */
  flush: () => Promise<void>
  /** Flushes and releases the open segment file. */
  close: () => Promise<void>
  readonly size: number
}

export interface ResponseStoreOptions {
  dir: string
  limits: () => StoreLimits
  now: () => number
  onError: (err: unknown, op: string) => void
}

interface Segment { file: string, size: number, records: number, live: number }
/** Where a record's line is: known once it has been encoded for writing. */
interface Entry { createdAtMs: number, segment: Segment, offset: number, length: number }
type Op = { segment: Segment, id: string, line: string } | { segment: Segment, drop: string } | { segment: Segment, remove: true }

const SEGMENT = /^(\d+)-(\d+)\.jsonl$/
const SEGMENT_RECORDS = 1000
const SEGMENT_BYTES = 16 * 1024 * 1024

export async function openResponseStore (opts: ResponseStoreOptions): Promise<ResponseStore> {
  await mkdir(opts.dir, { recursive: true, mode: 0o700 })
  const store = new LogResponseStore(opts)
  await store.load()
  return store
}

class LogResponseStore implements ResponseStore {
  /** Live responses, oldest first (eviction takes from the head). */
  private readonly index = new Map<string, Entry>()
  /** Saved but not yet on disk, as their JSON lines. */
  private readonly unwritten = new Map<string, string>()
  /** Recently saved or read, as JSON: one flat string each is far less for the GC to trace and promote than the object graph. */
  private readonly recent = new LRUCache<string, string>({ max: 512 })
  /** Oldest first; the last one is appended to. */
  private readonly segments: Segment[] = []
  private current: Segment | undefined
  private seq = 0
  /** Queued file operations, in order. */
  private ops: Op[] = []
  private flushing: Promise<void> = Promise.resolve()
  private scheduled = false
  /** The segment being appended to stays open: an open, write and close per append cost ~50 µs per response. */
  private file: { segment: Segment, fd: number } | undefined

  constructor (private readonly opts: ResponseStoreOptions) {}

  get size (): number { return this.index.size }

  /** Replays the segments, oldest first; a torn last line (a crash) is skipped. */
  async load (): Promise<void> {
    const names = (await readdir(this.opts.dir)).filter((n) => SEGMENT.test(n)).sort((a, b) => segmentSeq(a) - segmentSeq(b))
    for (const name of names) {
      const segment: Segment = { file: path.join(this.opts.dir, name), size: 0, records: 0, live: 0 }
      this.segments.push(segment)
      const data = await readFile(segment.file)
      segment.size = data.length
      for (let start = 0; start < data.length;) {
        const end = data.indexOf(0x0a, start)
        if (end === -1) break
        this.replay(segment, data.subarray(start, end), start)
        start = end + 1
      }
      this.seq = Math.max(this.seq, segmentSeq(name) + 1)
      // Appending after a torn line would glue the next record to it.
      this.current = data.length === 0 || data[data.length - 1] === 0x0a ? segment : undefined
    }
    this.prune()
    this.collect()
  }

  private replay (segment: Segment, line: Buffer, offset: number): void {
    let value: { id?: string, createdAtMs?: number, drop?: string }
    try {
      value = JSON.parse(line.toString('utf8'))
    } catch {
      return
    }
    if (typeof value.drop === 'string') {
      const entry = this.index.get(value.drop)
      if (entry !== undefined) { this.index.delete(value.drop); entry.segment.live-- }
      return
    }
    if (typeof value.id !== 'string' || typeof value.createdAtMs !== 'number') return
    segment.records++
    segment.live++
    this.index.set(value.id, { createdAtMs: value.createdAtMs, segment, offset, length: line.length })
  }

  save (record: StoredResponse): void {
    const line = JSON.stringify(record)
    const segment = this.segmentFor()
    this.index.set(record.id, { createdAtMs: record.createdAtMs, segment, offset: 0, length: 0 })
    segment.records++
    segment.live++
    this.unwritten.set(record.id, line)
    this.recent.set(record.id, line)
    this.enqueue({ segment, id: record.id, line })
    this.prune()
  }

  async get (id: string): Promise<StoredResponse | undefined> {
    const entry = this.index.get(id)
    if (entry === undefined) return undefined
    if (entry.createdAtMs < this.opts.now() - this.opts.limits().maxAgeMs) {
      this.drop(id, entry)
      return undefined
    }
    const cached = this.unwritten.get(id) ?? this.recent.get(id)
    if (cached !== undefined) return JSON.parse(cached) as StoredResponse
    try {
      const line = await this.read(entry)
      if (this.index.get(id) !== entry) return undefined
      this.recent.set(id, line)
      return JSON.parse(line) as StoredResponse
    } catch (err) {
      this.opts.onError(err, 'read')
      return undefined
    }
  }

  async delete (id: string): Promise<boolean> {
    const entry = this.index.get(id)
    if (entry === undefined || await this.get(id) === undefined) return false
    this.drop(id, entry)
    return true
  }

  async flush (): Promise<void> {
    while (this.scheduled || this.ops.length > 0) await this.write()
    await this.flushing
  }

  async close (): Promise<void> {
    await this.flush()
    await this.release()
  }

  /** Evicts the oldest past the count limit and everything past the age limit. */
  private prune (): void {
    const { maxResponses, maxAgeMs } = this.opts.limits()
    const oldest = this.opts.now() - maxAgeMs
    for (const [id, entry] of this.index) {
      if (this.index.size <= maxResponses && entry.createdAtMs >= oldest) break
      this.drop(id, entry)
    }
  }

  private drop (id: string, entry: Entry): void {
    this.index.delete(id)
    this.unwritten.delete(id)
    this.recent.delete(id)
    entry.segment.live--
    this.enqueue({ segment: this.segmentFor(), drop: id })
    this.collect()
  }

  /** Deletes the oldest segments while none of their records is live. */
  private collect (): void {
    while (this.segments.length > 0 && this.segments[0]!.live === 0 && this.segments[0] !== this.current) {
      this.removeFile(this.segments.shift()!)
    }
  }

  private segmentFor (): Segment {
    const c = this.current
    if (c !== undefined && c.records < SEGMENT_RECORDS && c.size < SEGMENT_BYTES) return c
    this.current = { file: path.join(this.opts.dir, `${this.seq++}-${this.opts.now()}.jsonl`), size: 0, records: 0, live: 0 }
    this.segments.push(this.current)
    return this.current
  }

  private enqueue (op: Op): void {
    this.ops.push(op)
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => { void this.write() })
  }

  /** What the loop turn queued, in one append per segment. */
  private async write (): Promise<void> {
    this.scheduled = false
    const ops = this.ops
    if (ops.length === 0) return
    this.ops = []
    const written = [...this.unwritten.keys()]
    const tasks = this.encode(ops)
    this.flushing = this.flushing.then(async () => {
      for (const task of tasks) {
        if (task.text === null) await this.removeSegment(task.segment)
        else await this.appendTo(task.segment, Buffer.from(task.text))
      }
    }).catch((err: unknown) => { this.opts.onError(err, 'write') })
      .finally(() => { for (const id of written) this.unwritten.delete(id) })
    await this.flushing
  }

  /** One text per run of operations on one segment; each record gets its byte range. */
  private encode (ops: readonly Op[]): Array<{ segment: Segment, text: string | null }> {
    const tasks: Array<{ segment: Segment, text: string | null }> = []
    for (const op of ops) {
      if ('remove' in op) { tasks.push({ segment: op.segment, text: null }); continue }
      const line = 'line' in op ? op.line : JSON.stringify({ drop: op.drop })
      const bytes = Buffer.byteLength(line)
      const entry = 'line' in op ? this.index.get(op.id) : undefined
      if (entry !== undefined) { entry.offset = op.segment.size; entry.length = bytes }
      op.segment.size += bytes + 1
      const last = tasks.at(-1)
      if (last !== undefined && last.segment === op.segment && last.text !== null) last.text += `${line}\n`
      else tasks.push({ segment: op.segment, text: `${line}\n` })
    }
    return tasks
  }

  private async read (entry: Entry): Promise<string> {
    const fh = await open(entry.segment.file, 'r')
    try {
      const buf = Buffer.alloc(entry.length)
      await fh.read(buf, 0, entry.length, entry.offset)
      return buf.toString('utf8')
    } finally {
      await fh.close()
    }
  }

  /** Queued behind the appends already queued for it, so none can recreate the file. */
  private removeFile (segment: Segment): void {
    this.enqueue({ segment, remove: true })
  }

  private async appendTo (segment: Segment, data: Buffer): Promise<void> {
    if (this.file?.segment !== segment) {
      await this.release()
      const fd = await new Promise<number>((resolve, reject) => { openFd(segment.file, 'a', 0o600, (err, fd) => { if (err !== null) reject(err); else resolve(fd) }) })
      this.file = { segment, fd }
    }
    const fd = this.file.fd
    for (let at = 0; at < data.length;) {
      at += await new Promise<number>((resolve, reject) => { writeFd(fd, data, at, data.length - at, null, (err, n) => { if (err !== null) reject(err); else resolve(n) }) })
    }
  }

  private async release (): Promise<void> {
    const file = this.file
    if (file === undefined) return
    this.file = undefined
    await new Promise<void>((resolve) => { closeFd(file.fd, () => { resolve() }) })
  }

  private async removeSegment (segment: Segment): Promise<void> {
    if (this.file?.segment === segment) await this.release()
    await unlink(segment.file).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') this.opts.onError(err, 'delete') })
  }
}

/** Segments are `<seq>-<createdMs>.jsonl`; the sequence number orders them across restarts. */
function segmentSeq (name: string): number {
  return Number(SEGMENT.exec(name)![1])
}
