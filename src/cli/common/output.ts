// User-facing output and exit statuses. Commands return an exit code or throw a
// CliError / GatewayClientError; `runCommand` prints the message (and hint) on
// stderr and sets process.exitCode, so the process ends once sockets close.
import { GatewayClientError } from '../../errors/client.js'

export const EXIT_OK = 0
export const EXIT_FAIL = 1

export class CliError extends Error {
  readonly exitCode: number
  readonly hint: string | undefined
  constructor (message: string, opts: { hint?: string, exitCode?: number } = {}) {
    super(message)
    this.name = 'CliError'
    this.exitCode = opts.exitCode ?? EXIT_FAIL
    this.hint = opts.hint
  }
}

export function out (line = ''): void { process.stdout.write(`${line}\n`) }
export function err (line: string): void { process.stderr.write(`${line}\n`) }
export function printJson (value: unknown): void { out(JSON.stringify(value, null, 2)) }

/** Wraps a yargs handler: exit code from the return value, errors as messages (never a stack for expected failures). */
export function runCommand<A> (fn: (args: A) => Promise<number | undefined | void>): (args: A) => Promise<void> {
  return async (args: A) => {
    try {
      const code = await fn(args)
      process.exitCode = typeof code === 'number' ? code : EXIT_OK
    } catch (e) {
      reportError(e)
      process.exitCode = e instanceof CliError ? e.exitCode : EXIT_FAIL
    }
  }
}

export function reportError (e: unknown): void {
  if (e instanceof CliError) {
    err(e.message)
    if (e.hint !== undefined) err(`Hint: ${e.hint}`)
    return
  }
  if (e instanceof GatewayClientError) {
    err(e.message)
    return
  }
  err(`unexpected error: ${(e as Error)?.stack ?? String(e)}`)
}

export function formatDuration (ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?'
  if (ms < 1000) return `${Math.round(ms)}ms`
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${s % 60}s`
  const h = Math.floor(m / 60)
  if (h < 24) return `${h}h ${m % 60}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}
