// `openclaw logs`: the gateway's file log through RPC `logs.tail`. Follows the
// returned cursor, starts over when the gateway reports `reset` (rotation), and
// reconnects while following. When the local gateway is unreachable and not
// following, it reads the local log file directly instead.
import { open, stat } from 'node:fs/promises'
import type { Argv, CommandModule } from 'yargs'
import { GatewayClientError } from '../errors/client.js'
import type { GatewayClient } from '../client/gateway-client.js'
import { asCliError, connectionOptions, openClient, resolveTarget, warnIfConfigBroken, type ConnectionArgs, type GatewayTarget } from './common/connection.js'
import { gatewayLogFile, loadContext, type CliContext, type GlobalArgs } from './common/context.js'
import { formatLogLine } from './common/log-format.js'
import { CliError, err, out, runCommand } from './common/output.js'

interface LogsArgs extends GlobalArgs, ConnectionArgs {
  follow?: boolean
  limit: number
  'max-bytes': number
  interval: number
  json?: boolean
}

interface TailResult { file: string, cursor: number, size: number, lines: string[], truncated?: boolean, reset?: boolean, skippedBytes?: number }

async function logs (args: LogsArgs): Promise<number> {
  if (!(args.limit >= 1 && args.limit <= 5000)) throw new CliError('--limit must be between 1 and 5000')
  if (!(args['max-bytes'] >= 1 && args['max-bytes'] <= 1_000_000)) throw new CliError('--max-bytes must be between 1 and 1000000')
  const ctx = await loadContext(args)
  warnIfConfigBroken(ctx)
  const target = await resolveTarget(ctx, args)
  let client: GatewayClient
  try {
    client = await openClient(ctx, target, { timeoutMs: args.timeout })
  } catch (e) {
    if (e instanceof GatewayClientError && e.code === 'UNREACHABLE' && args.follow !== true && target.urlSource === 'local') {
      return await readLocal(ctx, args, e.message)
    }
    throw asCliError(e, ctx, target)
  }
  const print = (line: string) => { out(args.json === true ? line : formatLogLine(line)) }
  if (args.follow !== true) {
    try {
      const res = await tail(client, undefined, args)
      res.lines.forEach(print)
      return 0
    } catch (e) {
      throw asCliError(e, ctx, target)
    } finally {
      await client.close()
    }
  }
  return await follow(ctx, target, client, args, print)
}

async function follow (ctx: CliContext, target: GatewayTarget, first: GatewayClient, args: LogsArgs, print: (line: string) => void): Promise<number> {
  let client: GatewayClient | undefined = first
  let cursor: number | undefined
  const stopped = new AbortController()
  let wake: (() => void) | undefined
  const stop = () => { stopped.abort(); wake?.() }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(() => { wake = undefined; resolve() }, ms)
    wake = () => { clearTimeout(timer); wake = undefined; resolve() }
  })
  try {
    while (!stopped.signal.aborted) {
      try {
        client ??= await openClient(ctx, target, { timeoutMs: args.timeout })
        const res = await tail(client, cursor, args)
        notes(res, cursor !== undefined)
        res.lines.forEach(print)
        cursor = res.cursor
      } catch (e) {
        if (!(e instanceof GatewayClientError)) throw e
        if (e.code === 'RPC_ERROR' || e.code === 'UNAUTHORIZED' || e.code === 'NOT_PAIRED') throw asCliError(e, ctx, target)
        // Dropped or unreachable: keep the cursor and try again next tick.
        if (client !== undefined) err(`gateway connection lost (${e.message}); reconnecting…`)
        await client?.close()
        client = undefined
      }
      if (!stopped.signal.aborted) await pause(args.interval)
    }
    return 0
  } finally {
    process.removeListener('SIGINT', stop)
    process.removeListener('SIGTERM', stop)
    await client?.close()
  }
}

async function tail (client: GatewayClient, cursor: number | undefined, args: LogsArgs): Promise<TailResult> {
  const params: Record<string, number> = { limit: args.limit, maxBytes: args['max-bytes'] }
  if (cursor !== undefined) params.cursor = cursor
  const res = await client.request<TailResult>('logs.tail', params)
  if (typeof res !== 'object' || res === null || !Array.isArray(res.lines) || typeof res.cursor !== 'number') {
    throw new CliError('logs.tail returned an unexpected payload')
  }
  return res
}

/** Only while following: the first tail is meant to start mid-file. */
function notes (res: TailResult, following: boolean): void {
  if (!following) return
  if (res.reset === true) err(`(log file ${res.file} was rotated or truncated; reading from its start)`)
  else if ((res.skippedBytes ?? 0) > 0) err(`(skipped ${res.skippedBytes!} bytes of log output: more than --max-bytes arrived between polls)`)
}

/** Not following and no gateway: the last `limit` lines of the local file, within `max-bytes`. */
async function readLocal (ctx: CliContext, args: LogsArgs, reason: string): Promise<number> {
  const file = gatewayLogFile(ctx)
  const st = await stat(file).catch(() => undefined)
  if (st === undefined || !st.isFile()) {
    throw new CliError(reason, { hint: `no local log file at ${file} either; start the gateway with \`openclaw gateway\`` })
  }
  err(`${reason}; reading the local log file ${file}`)
  const start = Math.max(0, st.size - args['max-bytes'])
  const fh = await open(file, 'r')
  let text: string
  try {
    const buf = Buffer.alloc(st.size - start)
    await fh.read(buf, 0, buf.length, start)
    text = buf.toString('utf8')
  } finally {
    await fh.close()
  }
  let lines = text.split('\n')
  if (start > 0) lines = lines.slice(1) // the first line is cut mid-way
  lines = lines.filter((l) => l !== '').slice(-args.limit)
  for (const line of lines) out(args.json === true ? line : formatLogLine(line))
  return 0
}

export const logsCommand: CommandModule<object, LogsArgs> = {
  command: 'logs',
  describe: 'Show (and follow) the gateway log',
  builder: (y: Argv) => connectionOptions(y, { timeoutDefault: 10_000 })
    .option('follow', { alias: 'f', type: 'boolean', description: 'Keep polling for new lines' })
    .option('limit', { type: 'number', default: 200, description: 'Lines per poll (1-5000)' })
    .option('max-bytes', { type: 'number', default: 250_000, description: 'Bytes per poll (1-1000000)' })
    .option('interval', { type: 'number', default: 1000, description: 'Poll interval in ms when following' })
    .option('json', { type: 'boolean', description: 'Print the raw JSONL records' }) as unknown as Argv<LogsArgs>,
  handler: runCommand(logs)
}
