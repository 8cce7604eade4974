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
  return createLogging(opts).logger
}

/** The logger and the one setting that changes while it runs: the file's level (`logging.level` reload). */
export interface Logging {
  logger: Logger
  setFileLevel: (level: Level | 'silent') => void
}

export function createLogging (opts: LoggerOptions): Logging {
  const streams = pino.multistream([], { dedupe: false })
  const addFile = (level: Level | 'silent') => {
    if (opts.file !== undefined) streams.add({ level: level === 'silent' ? 'fatal' : level, stream: opts.file })
  }
  addFile(opts.level)
  if (opts.stdout !== undefined) streams.add({ level: opts.stdout.level, stream: humanStream(opts.stdout.colorize, opts.file) })
  const logger = pino({
    level: lowestLevel(opts.level, opts.stdout?.level),
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime
  }, opts.file === undefined && opts.stdout === undefined ? { write: () => true } : streams)
  return {
    logger,
    // Children made without a level of their own follow the root's level.
    setFileLevel (level) {
      // Entries carry the id multistream assigned them (documented for remove(), untyped in pino.d.ts).
      const entry = streams.streams.find((e) => e.stream === opts.file) as { id?: number } | undefined
      if (entry?.id !== undefined) streams.remove(entry.id)
      addFile(level)
      logger.level = lowestLevel(level, opts.stdout?.level)
    }
  }
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
