// Stored responses (`store` not false), bounded in count and age (read per
// call, so a reload applies) and kept on disk as an append-only log under
// <stateDir>/responses: segment files of JSON lines, a record per saved
// response, a `{"drop":id}` line per deletion, and for evictions (always the
// oldest, by count or age) one `{"evictedBefore":[segment,offset]}` line per
// write: every record before that position is gone. Saves leave the request
// path: a line is encoded off-heap at once (line-arena.ts), and what 20 ms
// saved is appended in one writev. Segments are deleted oldest first once
// none of their records is live (a younger one may hold the drop lines of
// older ones); start-up replays them.
import { close as closeFd, open as openFd, writev as writevFd } from 'node:fs'
import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises'
import path from 'node:path'
import { LRUCache } from 'lru-cache'
import type { GatewayConfig } from '../../schemas/config.js'
import type { ResponseObject, StoredInputItem } from '../../schemas/openai.js'
import { LineArena } from './line-arena.js'

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
  /** Readable at once, on disk within 20 ms. `responseJson`: the response as already serialized for the client. */
  save: (record: StoredResponse, responseJson?: string) => void
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

interface Segment { seq: number, file: string, size: number, records: number, live: number }
/** Where a record's line is (bytes `length`, without the newline); `pending` holds them until they are written. */
interface Entry { id: string, createdAtMs: number, segment: Segment, offset: number, length: number, pending: Buffer | undefined, live: boolean }
type Op = { segment: Segment, data: Buffer, entry: Entry | undefined } | { segment: Segment, remove: true }

const SEGMENT = /^(\d+)-(\d+)\.jsonl$/
const SEGMENT_RECORDS = 1000
const SEGMENT_BYTES = 16 * 1024 * 1024
/**
 * Saves reach the file within this long, as one write per batch: a write per
 * loop turn meant a thread-pool round trip for nearly every streamed response.
 * Nothing is fsynced; what a crash can lose is the last batch.
 */
const WRITE_DELAY_MS = 20

export async function openResponseStore (opts: ResponseStoreOptions): Promise<ResponseStore> {
  await mkdir(opts.dir, { recursive: true, mode: 0o700 })
  const store = new LogResponseStore(opts)
  await store.load()
  return store
}

class LogResponseStore implements ResponseStore {
  /** Live responses by id. */
  private readonly index = new Map<string, Entry>()
  /**
   * Every entry since the last compaction, oldest first; eviction takes from
   * `head`, skipping dropped ones. Not the Map's own order: iterating a Map
   * from its start walks every entry deleted since its last rehash (~5 µs per save with 10,000 live).
   */
  private order: Entry[] = []
  private head = 0
  private readonly arena = new LineArena()
  /** Recently read, as JSON (a chain of stateless responses is read again each turn); one flat string each is far less for the GC to trace than the object graph. */
  private readonly recent = new LRUCache<string, string>({ max: 512 })
  /** Oldest first; the last one is appended to. */
  private readonly segments: Segment[] = []
  private current: Segment | undefined
  private seq = 0
  /** Whether evictions since the last write moved the watermark. */
  private evicted = false
  /** Queued file operations, in order. */
  private ops: Op[] = []
  private flushing: Promise<void> = Promise.resolve()
  private timer: NodeJS.Timeout | undefined
  /** The segment being appended to stays open: an open, write and close per append cost ~50 µs per response. */
  private file: { segment: Segment, fd: number } | undefined

  constructor (private readonly opts: ResponseStoreOptions) {}

  get size (): number { return this.index.size }

  /** Replays the segments, oldest first; a torn last line (a crash) is skipped. */
  async load (): Promise<void> {
    const names = (await readdir(this.opts.dir)).filter((n) => SEGMENT.test(n)).sort((a, b) => segmentSeq(a) - segmentSeq(b))
    for (const name of names) {
      const segment: Segment = { seq: segmentSeq(name), file: path.join(this.opts.dir, name), size: 0, records: 0, live: 0 }
      this.segments.push(segment)
      const data = await readFile(segment.file)
      segment.size = data.length
      for (let start = 0; start < data.length;) {
        const end = data.indexOf(0x0a, start)
        if (end === -1) break
        this.replay(segment, data.subarray(start, end), start)
        start = end + 1
      }
      this.seq = Math.max(this.seq, segment.seq + 1)
      // Appending after a torn line would glue the next record to it.
      this.current = data.length === 0 || data[data.length - 1] === 0x0a ? segment : undefined
    }
    this.prune()
    this.collect()
  }

  private replay (segment: Segment, line: Buffer, offset: number): void {
    let value: { id?: string, createdAtMs?: number, drop?: string, evictedBefore?: [number, number] }
    try {
      value = JSON.parse(line.toString('utf8'))
    } catch {
      return
    }
    if (typeof value.drop === 'string') {
      const entry = this.index.get(value.drop)
      if (entry !== undefined) this.forget(entry)
      return
    }
    if (Array.isArray(value.evictedBefore)) {
      const [seq, offset] = value.evictedBefore
      for (; this.head < this.order.length; this.head++) {
        const entry = this.order[this.head]!
        if (entry.segment.seq > seq || (entry.segment.seq === seq && entry.offset >= offset)) break
        if (entry.live) this.forget(entry)
      }
      return
    }
    if (typeof value.id !== 'string' || typeof value.createdAtMs !== 'number') return
    segment.records++
    segment.live++
    const earlier = this.index.get(value.id)
    if (earlier !== undefined) this.forget(earlier)
    this.add({ id: value.id, createdAtMs: value.createdAtMs, segment, offset, length: line.length, pending: undefined, live: true })
  }

  save (record: StoredResponse, responseJson?: string): void {
    const { segment, offset, data } = this.line(recordHead(record), responseJson ?? JSON.stringify(record.response), '}')
    const entry: Entry = { id: record.id, createdAtMs: record.createdAtMs, segment, offset, length: data.length - 1, pending: data, live: true }
    segment.records++
    segment.live++
    this.add(entry)
    this.enqueue({ segment, data, entry })
    this.prune()
  }

  async get (id: string): Promise<StoredResponse | undefined> {
    const entry = this.index.get(id)
    if (entry === undefined) return undefined
    if (entry.createdAtMs < this.opts.now() - this.opts.limits().maxAgeMs) {
      this.drop(entry)
      return undefined
    }
    if (entry.pending !== undefined) return JSON.parse(entry.pending.toString('utf8')) as StoredResponse
    const cached = this.recent.get(id)
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
    this.drop(entry)
    return true
  }

  async flush (): Promise<void> {
    while (this.ops.length > 0 || this.evicted) await this.write()
    await this.flushing
  }

  async close (): Promise<void> {
    await this.flush()
    await this.release()
  }

  /**
   * Evicts the oldest past the count limit and everything past the age
   * limit. They leave no line each: the next write records how far the
   * evictions reached (a watermark), which a replay applies the same way.
   */
  private prune (): void {
    const { maxResponses, maxAgeMs } = this.opts.limits()
    const oldest = this.opts.now() - maxAgeMs
    let evicted = false
    for (; this.head < this.order.length; this.head++) {
      const entry = this.order[this.head]!
      if (!entry.live) continue
      if (this.index.size <= maxResponses && entry.createdAtMs >= oldest) break
      this.forget(entry)
      evicted = true
    }
    if (evicted) {
      this.evicted = true
      this.collect()
      this.schedule()
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head)
      this.head = 0
    }
  }

  private add (entry: Entry): void {
    this.index.set(entry.id, entry)
    this.order.push(entry)
  }

  /** Takes an entry out of memory; what the log says of it is the caller's. */
  private forget (entry: Entry): void {
    this.index.delete(entry.id)
    this.recent.delete(entry.id)
    entry.live = false
    entry.segment.live--
    entry.pending = undefined
  }

  /** A deletion (or an expiry found on read): forgotten, and a drop line for the log. */
  private drop (entry: Entry): void {
    this.forget(entry)
    const { segment, data } = this.line(JSON.stringify({ drop: entry.id }))
    this.enqueue({ segment, data, entry: undefined })
    this.collect()
  }

  /** Every record before the oldest one not yet evicted (or before the log's end) is gone. */
  private queueWatermark (): void {
    if (!this.evicted) return
    this.evicted = false
    const end = this.segmentFor()
    const first = this.order[this.head]
    const at = first === undefined ? `${end.seq},${end.size}` : `${first.segment.seq},${first.offset}`
    const { segment, data } = this.line(`{"evictedBefore":[${at}]}`)
    this.ops.push({ segment, data, entry: undefined })
  }

  /** Encodes a line at the end of the segment being appended to (written by a later op). */
  private line (...parts: string[]): { segment: Segment, offset: number, data: Buffer } {
    const segment = this.segmentFor()
    const offset = segment.size
    const data = this.arena.put(...parts)
    segment.size += data.length
    return { segment, offset, data }
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
    const seq = this.seq++
    this.current = { seq, file: path.join(this.opts.dir, `${seq}-${this.opts.now()}.jsonl`), size: 0, records: 0, live: 0 }
    this.segments.push(this.current)
    return this.current
  }

  private enqueue (op: Op): void {
    this.ops.push(op)
    this.schedule()
  }

  private schedule (): void {
    this.timer ??= setTimeout(() => { void this.write() }, WRITE_DELAY_MS)
  }

  /** What the last 20 ms queued (and the eviction watermark, when it moved), in one append per segment. */
  private async write (): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    this.queueWatermark()
    const ops = this.ops
    if (ops.length === 0) return
    this.ops = []
    this.flushing = this.flushing.then(() => this.apply(ops)).catch((err: unknown) => { this.opts.onError(err, 'write') })
    await this.flushing
  }

  /** Each run of lines bound for one segment is one writev; a record's bytes leave memory once written (or failed). */
  private async apply (ops: readonly Op[]): Promise<void> {
    for (let i = 0; i < ops.length;) {
      const op = ops[i]!
      if ('remove' in op) { await this.removeSegment(op.segment); i++; continue }
      const run: Buffer[] = []
      let j = i
      for (let next = ops[j]; next !== undefined && 'data' in next && next.segment === op.segment; next = ops[++j]) run.push(next.data)
      try {
        await this.appendTo(op.segment, run)
      } finally {
        for (let k = i; k < j; k++) { const done = ops[k]! as { entry: Entry | undefined }; if (done.entry !== undefined) done.entry.pending = undefined }
      }
      i = j
    }
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

  private async appendTo (segment: Segment, data: Buffer[]): Promise<void> {
    if (this.file?.segment !== segment) {
      await this.release()
      const fd = await new Promise<number>((resolve, reject) => { openFd(segment.file, 'a', 0o600, (err, fd) => { if (err !== null) reject(err); else resolve(fd) }) })
      this.file = { segment, fd }
    }
    const fd = this.file.fd
    let left = data
    while (left.length > 0) {
      const n = await new Promise<number>((resolve, reject) => { writevFd(fd, left, null, (err, n) => { if (err !== null) reject(err); else resolve(n) }) })
      left = unwritten(left, n)
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

/** What a short writev of `n` bytes left of `data`. */
function unwritten (data: Buffer[], n: number): Buffer[] {
  let i = 0
  while (i < data.length && n >= data[i]!.length) n -= data[i++]!.length
  return i === data.length ? [] : [data[i]!.subarray(n), ...data.slice(i + 1)]
}

/** A record's line up to its response, which follows as the client got it (not serialized twice), then `}`. */
function recordHead (r: StoredResponse): string {
  return `{"id":${jsonString(r.id)},"createdAtMs":${r.createdAtMs},"agentId":${jsonString(r.agentId)},"sessionKey":${jsonString(r.sessionKey)},"persisted":${r.persisted},"input":${inputJson(r.input)},"response":`
}

/**
 * The input items as JSON, a plain text message (what most requests send)
 * from a template: on Node 20, JSON.stringify walks every object through
 * V8's generic property lookup (callgrind: the head cost ~19k of a save's
 * ~33k instructions with it, ~7k of ~25k without).
 */
function inputJson (items: readonly StoredInputItem[]): string {
  let json = '['
  for (const item of items) {
    if (json.length > 1) json += ','
    json += textMessageJson(item) ?? JSON.stringify(item)
  }
  return `${json}]`
}

function textMessageJson (item: StoredInputItem): string | undefined {
  const { type, id, role, status, content } = item as { type: string, id: string, role?: unknown, status?: unknown, content?: unknown }
  if (type !== 'message' || typeof role !== 'string' || typeof status !== 'string' || !Array.isArray(content) || Object.keys(item).length !== 5) return undefined
  let parts = ''
  for (const part of content as unknown[]) {
    const { type: partType, text } = part as { type?: unknown, text?: unknown }
    if ((partType !== 'input_text' && partType !== 'output_text') || typeof text !== 'string' || Object.keys(part as object).length !== 2) return undefined
    parts += `${parts === '' ? '' : ','}{"type":"${partType}","text":${jsonString(text)}}`
  }
  return `{"type":"message","id":${jsonString(id)},"role":${jsonString(role)},"status":${jsonString(status)},"content":[${parts}]}`
}

/** Printable ASCII without `"` or a backslash needs no escaping. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/
function jsonString (s: string): string {
  return s.length < 256 && PLAIN.test(s) ? `"${s}"` : JSON.stringify(s)
}

/** Segments are `<seq>-<createdMs>.jsonl`; the sequence number orders them across restarts. */
function segmentSeq (name: string): number {
  return Number(SEGMENT.exec(name)![1])
}
