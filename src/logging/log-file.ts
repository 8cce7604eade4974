// The daily JSONL log file (spec decision 6): a new file each day, rotated by
// size into .1 … .5, and scrubbed of known secret values before it hits disk.
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import { pino } from 'pino'

type Destination = ReturnType<typeof pino.destination>

export interface LogFileOptions {
  /** Path for a given day; a fixed path (logging.file) ignores the date. */
  pathFor: (now: Date) => string
  maxFileBytes: number
  keep?: number
  now?: () => Date
}

export class LogFile {
  private opts: Required<LogFileOptions>
  private readonly boom: Destination
  private current: string
  private bytes: number
  private secrets: readonly string[] = []
  /** The destination (re)opens asynchronously; until it is ready, lines queue for the file being opened. */
  private opening = true

  constructor (opts: LogFileOptions) {
    this.opts = { keep: 5, now: () => new Date(), ...opts }
    this.current = this.opts.pathFor(this.opts.now())
    this.bytes = this.open(this.current)
    this.boom = pino.destination({ dest: this.current, append: true, mkdir: true, sync: false })
    this.boom.on('ready', () => { this.opening = false })
  }

  get file (): string { return this.current }

  /** Values that must never reach the file (tokens, passwords, API keys). */
  setSecrets (values: readonly string[]): void {
    this.secrets = values.filter((v) => v.length >= 4)
  }

  /** Replaces every known secret value in a line. */
  scrub (chunk: string): string {
    let line = chunk
    for (const s of this.secrets) if (line.includes(s)) line = line.split(s).join('[REDACTED]')
    return line
  }

  write (chunk: string): boolean {
    const line = this.scrub(chunk)
    const target = this.opts.pathFor(this.opts.now())
    if (target !== this.current) this.switchTo(target)
    else if (this.bytes + line.length > this.opts.maxFileBytes && this.bytes > 0) this.rotate()
    this.bytes += Buffer.byteLength(line)
    return this.boom.write(line)
  }

  /** `logging.file` or `logging.maxFileBytes` changed on reload: from now on, lines go by the new rules. */
  configure (opts: Pick<LogFileOptions, 'pathFor' | 'maxFileBytes'>): void {
    this.opts = { ...this.opts, ...opts }
    const target = this.opts.pathFor(this.opts.now())
    if (target !== this.current) this.switchTo(target)
  }

  flushSync (): void {
    // While (re)opening, sonic-boom would write to the previous file (or throw): the lines wait for the new one.
    if (this.opening) return
    try { this.boom.flushSync() } catch { /* nothing buffered or already closed */ }
  }

  end (): void { this.boom.end() }

  // Rotation is rare; doing it synchronously keeps line order exact.
  private rotate (): void {
    // Renaming before the current file is even open would shift (and drop) files that hold the
    // queued lines; the file grows past the limit for a moment instead.
    if (this.opening) return
    this.flushSync()
    const keep = this.opts.keep
    rmSync(`${this.current}.${keep}`, { force: true })
    for (let i = keep - 1; i >= 1; i--) {
      try { renameSync(`${this.current}.${i}`, `${this.current}.${i + 1}`) } catch { /* gap in the series */ }
    }
    try { renameSync(this.current, `${this.current}.1`) } catch { /* already gone */ }
    this.bytes = 0
    this.opening = true
    this.boom.reopen(this.current)
  }

  private switchTo (file: string): void {
    this.flushSync()
    this.current = file
    this.bytes = this.open(file)
    this.opening = true
    this.boom.reopen(file)
  }

  private open (file: string): number {
    mkdirSync(path.dirname(file), { recursive: true })
    try { return statSync(file).size } catch { return 0 }
  }
}
