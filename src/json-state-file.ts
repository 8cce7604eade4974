// A small JSON file of runtime state in the state dir (the last heartbeat,
// hook counters) that survives a restart. Changes mark it dirty; it is written
// atomically off the hot path, at most once per `delayMs`, and on close.
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { Value } from '@sinclair/typebox/value'
import type { TSchema, Static } from '@sinclair/typebox'
import { writeFileAtomic } from './sessions/fs-util.js'

export interface JsonStateFileOptions<S extends TSchema> {
  file: string
  schema: S
  /** The current state, read when the write happens (not when it was marked). */
  snapshot: () => Static<S>
  log: { warn: (obj: object, msg: string) => void }
  delayMs?: number
}

export class JsonStateFile<S extends TSchema> {
  private timer: NodeJS.Timeout | undefined
  private writing: Promise<void> = Promise.resolve()
  private closed = false
  constructor (private readonly opts: JsonStateFileOptions<S>) {}

  /** The saved state, or undefined when there is none or it does not fit the schema (a warning says so). */
  async load (): Promise<Static<S> | undefined> {
    let text: string
    try {
      text = await readFile(this.opts.file, 'utf8')
    } catch {
      return undefined
    }
    try {
      const value: unknown = JSON.parse(text)
      if (Value.Check(this.opts.schema, value)) return value
    } catch { /* reported below */ }
    this.opts.log.warn({ file: this.opts.file }, 'saved state is unreadable; starting fresh')
    return undefined
  }

  /** Schedules a write; repeated calls within the delay share one. */
  markDirty (): void {
    if (this.timer !== undefined || this.closed) return
    this.timer = setTimeout(() => { this.timer = undefined; this.write() }, this.opts.delayMs ?? 1000)
    this.timer.unref()
  }

  /** Writes what is pending now and stops further writes (call on close). */
  async close (): Promise<void> {
    this.closed = true
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
      this.write()
    }
    await this.writing
  }

  private write (): void {
    const text = `${JSON.stringify(this.opts.snapshot())}\n`
    // One write at a time, in order: a later state never lands before an earlier one.
    this.writing = this.writing.then(async () => {
      await mkdir(path.dirname(this.opts.file), { recursive: true })
      await writeFileAtomic(this.opts.file, text)
    }).catch((err: unknown) => {
      this.opts.log.warn({ err, file: this.opts.file }, 'saving state failed')
    })
  }
}
