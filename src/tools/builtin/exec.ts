/**
 * `exec`: run a shell command in the workspace. Off unless
 * `tools.exec.enabled === true`, owner-only, time-limited, and killed as a
 * whole process group so pipelines and background children die with it.
 */
import { spawn } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { Type } from '@sinclair/typebox'
import { Closed } from '../../../schemas/common.js'
import type { GatewayConfig } from '../../../schemas/config.js'
import { ToolError, fsToolError } from '../../errors/tools.js'
import { createOutputCapture } from '../text-limit.js'
import type { ToolDefinition, ToolResult } from '../types.js'
import { resolveExisting } from '../workspace.js'

export const EXEC_DEFAULT_TIMEOUT_SECONDS = 60
export const EXEC_MAX_TIMEOUT_SECONDS = 600
export const EXEC_MAX_OUTPUT_BYTES = 48 * 1024
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

export interface ExecToolOptions {
  /**
   * Extra environment for commands. The gateway's own environment is never
   * inherited: it holds provider keys and tokens the model must not read.
   */
  env?: Readonly<Record<string, string>>
  /** Between SIGTERM and SIGKILL of the process group (default 2000 ms). */
  killGraceMs?: number
}

const ExecArgs = Closed({
  command: Type.String({ minLength: 1, maxLength: 100_000, description: 'Shell command, run with /bin/sh -c' }),
  cwd: Type.Optional(Type.String({ description: 'Working directory, relative to the workspace (default: the workspace root)' })),
  timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: EXEC_MAX_TIMEOUT_SECONDS, description: 'Timeout; cannot exceed the configured limit' }))
})

/** The operator's limit is both the default and the ceiling a model may ask for. */
export function execTimeoutSeconds (config: Readonly<GatewayConfig>, requested?: number): number {
  const configured = Math.min(config.tools?.exec?.timeoutSeconds ?? EXEC_DEFAULT_TIMEOUT_SECONDS, EXEC_MAX_TIMEOUT_SECONDS)
  return Math.max(1, Math.min(requested ?? configured, configured))
}

interface ShellRun {
  command: string
  cwd: string
  env: Record<string, string>
  timeoutMs: number
  killGraceMs: number
  signal: AbortSignal
}

interface ShellOutcome {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stoppedBy?: 'timeout' | 'abort'
  output: string
  truncated: boolean
  outputBytes: number
}

function runShell (run: ShellRun): Promise<ShellOutcome> {
  return new Promise((resolve, reject) => {
    // detached: the shell leads a new process group, so one kill(-pid) reaches the whole tree.
    const child = spawn('/bin/sh', ['-c', run.command], { cwd: run.cwd, env: run.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    const capture = createOutputCapture(EXEC_MAX_OUTPUT_BYTES)
    const push = (chunk: Buffer): void => capture.push(chunk)
    child.stdout.on('data', push)
    child.stderr.on('data', push)

    let stoppedBy: 'timeout' | 'abort' | undefined
    let graceTimer: NodeJS.Timeout | undefined
    let settled = false
    const killGroup = (sig: NodeJS.Signals): void => {
      if (child.pid === undefined) return
      try {
        process.kill(-child.pid, sig)
      } catch {
        // ESRCH: the group is already gone.
      }
    }
    const stop = (why: 'timeout' | 'abort'): void => {
      if (stoppedBy !== undefined || settled) return
      stoppedBy = why
      killGroup('SIGTERM')
      graceTimer = setTimeout(() => killGroup('SIGKILL'), run.killGraceMs)
    }
    const timer = setTimeout(() => stop('timeout'), run.timeoutMs)
    const onAbort = (): void => stop('abort')
    run.signal.addEventListener('abort', onAbort, { once: true })
    const cleanup = (): void => {
      settled = true
      clearTimeout(timer)
      clearTimeout(graceTimer)
      run.signal.removeEventListener('abort', onAbort)
    }

    // Background jobs left by the shell would hold our pipes open (and outlive
    // the call); the command is over when the shell is, so reap the group.
    child.on('exit', () => killGroup('SIGKILL'))
    child.on('error', (err) => {
      if (settled) return
      cleanup()
      killGroup('SIGKILL')
      reject(new ToolError('TOOL_EXEC_FAILED', `could not start /bin/sh: ${err.message}`, { cause: err }))
    })
    child.on('close', (exitCode, signal) => {
      if (settled) return
      cleanup()
      const out = capture.finish()
      resolve({ exitCode, signal, stoppedBy, output: out.text, truncated: out.truncated, outputBytes: out.totalBytes })
    })
  })
}

function describe (outcome: ShellOutcome, timeoutSeconds: number): ToolResult {
  const notes: string[] = []
  if (outcome.truncated) notes.push(`[output truncated: ${outcome.outputBytes} bytes total]`)
  if (outcome.stoppedBy === 'timeout') notes.push(`[timed out after ${timeoutSeconds}s; the process group was killed]`)
  else if (outcome.stoppedBy === 'abort') notes.push('[aborted; the process group was killed]')
  else if (outcome.signal !== null) notes.push(`[killed by ${outcome.signal}]`)
  else if (outcome.exitCode !== 0) notes.push(`[exit code ${outcome.exitCode}]`)
  const body = outcome.output === '' ? '(no output)' : outcome.output.replace(/\n$/, '')
  const isError = outcome.stoppedBy !== undefined || outcome.signal !== null || outcome.exitCode !== 0
  const result: ToolResult = {
    content: notes.length === 0 ? body : `${body}\n\n${notes.join('\n')}`,
    details: {
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      timedOut: outcome.stoppedBy === 'timeout',
      aborted: outcome.stoppedBy === 'abort',
      truncated: outcome.truncated
    }
  }
  if (isError) result.isError = true
  return result
}

export function createExecTool (opts: ExecToolOptions = {}): ToolDefinition<typeof ExecArgs> {
  const killGraceMs = opts.killGraceMs ?? 2000
  return {
    name: 'exec',
    description: 'Run a shell command (/bin/sh -c) in the agent workspace and return its combined stdout/stderr. Time-limited; output is capped.',
    parameters: ExecArgs,
    ownerOnly: true,
    isEnabled: (config) => config.tools?.exec?.enabled === true,
    async execute (args, ctx) {
      // Re-checked here so a definition fetched with get() cannot bypass the config.
      if (ctx.config.tools?.exec?.enabled !== true) throw new ToolError('TOOL_NOT_AVAILABLE', 'exec is disabled (tools.exec.enabled is not true)')
      const cwd = await resolveExisting(ctx.workspace, args.cwd ?? '.')
      const st = await stat(cwd.real).catch((err: unknown) => { throw fsToolError(err, cwd.display) })
      if (!st.isDirectory()) throw new ToolError('TOOL_PATH_TYPE', `${cwd.display}: cwd is not a directory`)
      if (ctx.signal.aborted) throw new ToolError('TOOL_ABORTED', 'exec was aborted')
      const timeoutSeconds = execTimeoutSeconds(ctx.config, args.timeoutSeconds)
      const outcome = await runShell({
        command: args.command,
        cwd: cwd.real,
        env: { PATH: DEFAULT_PATH, HOME: cwd.root, LANG: 'C.UTF-8', TERM: 'dumb', ...opts.env },
        timeoutMs: timeoutSeconds * 1000,
        killGraceMs,
        signal: ctx.signal
      })
      return describe(outcome, timeoutSeconds)
    }
  }
}
