// The process logger: pino JSON lines into the daily file, and human lines on
// stdout. Sensitive fields are redacted by path, known secret values by value.
import { pino, type Logger, type Level } from 'pino'
import { formatHuman } from './human.js'
import { LogFile } from './log-file.js'

export type { Logger }

export interface LoggerOptions {
  level: Level | 'silent'
  file: LogFile | undefined
  /** Human-readable lines on stdout, at this level (undefined: none). */
  stdout?: { level: Level, colorize: boolean } | undefined
}

/** Object paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'authorization', 'token', 'password', 'apiKey', 'secret',
  '*.authorization', '*.token', '*.password', '*.apiKey', '*.secret',
  'req.headers.authorization', 'req.headers["x-openclaw-token"]', 'req.headers.cookie',
  'headers.authorization', 'headers["x-api-key"]', '*.headers.authorization', '*.headers["x-api-key"]',
  'auth.token', 'auth.password', 'params.auth', '*.auth.token', '*.auth.password'
]

export function createLogger (opts: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = []
  if (opts.file !== undefined) streams.push({ level: opts.level === 'silent' ? 'fatal' : opts.level, stream: opts.file })
  if (opts.stdout !== undefined) streams.push({ level: opts.stdout.level, stream: humanStream(opts.stdout.colorize, opts.file) })
  const level = lowestLevel(opts.level, opts.stdout?.level)
  return pino({
    level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime
  }, streams.length === 0 ? { write: () => true } : pino.multistream(streams, { dedupe: false }))
}

// stdout ends up in journald or a supervisor's log, so it is scrubbed of the same secret values as the file.
function humanStream (colorize: boolean, scrubber: LogFile | undefined): { write: (line: string) => void } {
  return { write: (line: string) => { process.stdout.write(formatHuman(scrubber?.scrub(line) ?? line, colorize)) } }
}

const ORDER: Array<Level | 'silent'> = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']
function lowestLevel (a: Level | 'silent', b: Level | undefined): Level | 'silent' {
  if (b === undefined) return a
  return ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b
}
