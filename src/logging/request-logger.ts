// Fastify gives every request a child logger. pino builds a child's bindings
// eagerly (serialized and redacted), which costs more than many handlers do,
// for a logger most requests never use. This factory hands out a stand-in
// that makes the real child on the first line actually written.
import type { FastifyBaseLogger } from 'fastify'
import type { Bindings, ChildLoggerOptions, Level, LogFn, Logger } from 'pino'

class LazyRequestLogger {
  declare fatal: LogFn
  declare error: LogFn
  declare warn: LogFn
  declare info: LogFn
  declare debug: LogFn
  declare trace: LogFn
  #child: Logger | undefined

  constructor (
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly opts: ChildLoggerOptions
  ) {}

  real (): Logger {
    this.#child ??= this.parent.child(this.bindings, this.opts)
    return this.#child
  }

  enabled (level: Level): boolean { return (this.#child ?? this.parent).isLevelEnabled(level) }

  get level (): string { return (this.#child ?? this.parent).level }
  set level (level: string) { this.real().level = level }

  child (bindings: Bindings, opts?: ChildLoggerOptions): Logger { return this.real().child(bindings, opts) }

  silent (): void {}
}

for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const) {
  Object.defineProperty(LazyRequestLogger.prototype, level, {
    value: function log (this: LazyRequestLogger, ...args: Parameters<LogFn>) {
      if (this.enabled(level)) this.real()[level](...args)
    }
  })
}

/** A Fastify `childLoggerFactory`. */
export function lazyChildLogger (logger: FastifyBaseLogger, bindings: Bindings, opts: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyRequestLogger(logger as Logger, bindings, opts) as unknown as FastifyBaseLogger
}
