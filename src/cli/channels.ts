// `openclaw channels status [--probe]`: live channel state from RPC
// `channels.status` when the gateway advertises it; otherwise what the config
// declares under `channels.*`. --probe also proves the gateway answers (and
// fails the command when it does not).
import type { Argv, CommandModule } from 'yargs'
import { GatewayClientError } from '../errors/client.js'
import type { GatewayClient } from '../client/gateway-client.js'
import { asCliError, connectionOptions, connectHint, openClient, resolveTarget, warnIfConfigBroken, type ConnectionArgs } from './common/connection.js'
import { loadContext, type GlobalArgs } from './common/context.js'
import { formatDuration, out, printJson, runCommand } from './common/output.js'
import { commandGroup, type JsonArgs } from './common/yargs.js'

interface ChannelsArgs extends GlobalArgs, ConnectionArgs, JsonArgs {
  probe?: boolean
}

type Obj = Record<string, unknown>

async function channelsStatus (args: ChannelsArgs): Promise<number> {
  const ctx = await loadContext(args)
  warnIfConfigBroken(ctx)
  const target = await resolveTarget(ctx, args)
  const configured = Object.keys(ctx.config.channels ?? {})
  const started = Date.now()
  let client: GatewayClient | undefined
  let failure: GatewayClientError | undefined
  try {
    client = await openClient(ctx, target, { timeoutMs: args.timeout })
  } catch (e) {
    if (!(e instanceof GatewayClientError)) throw e
    failure = e
  }
  const gateway = client !== undefined
    ? { url: target.url, reachable: true, latencyMs: Date.now() - started }
    : { url: target.url, reachable: false, error: failure?.message }
  try {
    let live: unknown
    if (client?.supports('channels.status') === true) {
      live = await client.request('channels.status', args.probe === true ? { probe: true } : {}).catch((e: unknown) => { throw asCliError(e, ctx, target) })
    }
    if (args.json === true) {
      printJson({ gateway, source: live === undefined ? 'config' : 'rpc', configured, ...(live === undefined ? {} : { channels: live }) })
    } else {
      if (args.probe === true || !gateway.reachable) {
        out(gateway.reachable ? `Gateway: reachable at ${target.url} (${formatDuration(gateway.latencyMs ?? 0)})` : `Gateway: ${gateway.error ?? 'not reachable'}`)
      }
      if (live !== undefined) printLive(live)
      else printConfigured(configured, ctx.paths.configPath, gateway.reachable)
      if (!gateway.reachable && failure !== undefined && args.probe === true) {
        const hint = connectHint(failure, ctx, target)
        if (hint !== undefined) out(`Hint: ${hint}`)
      }
    }
    return args.probe === true && !gateway.reachable ? 1 : 0
  } finally {
    await client?.close()
  }
}

function printConfigured (configured: string[], configPath: string, reachable: boolean): void {
  if (configured.length === 0) {
    out(`Channels: none configured (channels.* in ${configPath})`)
    return
  }
  out('Channels (from config):')
  const why = reachable ? 'this gateway does not report channel state (no channels.status)' : 'gateway not reachable'
  for (const id of configured) out(`- ${id}: configured; state unknown (${why})`)
}

function printLive (live: unknown): void {
  const payload = (typeof live === 'object' && live !== null ? live : {}) as Obj
  const channels = (typeof payload.channels === 'object' && payload.channels !== null ? payload.channels : {}) as Obj
  const order = Array.isArray(payload.channelOrder) ? payload.channelOrder.filter((c): c is string => typeof c === 'string') : Object.keys(channels)
  if (order.length === 0) {
    out('Channels: none')
    return
  }
  out('Channels:')
  for (const id of order) {
    const c = (typeof channels[id] === 'object' && channels[id] !== null ? channels[id] : {}) as Obj
    const facts = ['configured', 'running', 'connected'].filter((k) => typeof c[k] === 'boolean').map((k) => `${k} ${c[k] === true ? 'yes' : 'no'}`)
    const error = typeof c.lastError === 'string' ? `; error: ${c.lastError}` : ''
    out(`- ${id}: ${facts.length === 0 ? 'present' : facts.join(', ')}${error}`)
  }
}

const statusCommand: CommandModule<object, ChannelsArgs> = {
  command: 'status',
  describe: 'Show channel state (live when the gateway reports it)',
  builder: (y: Argv) => connectionOptions(y, { timeoutDefault: 10_000 })
    .option('probe', { type: 'boolean', description: 'Probe the gateway too; exit 1 when it does not answer' })
    .option('json', { type: 'boolean', description: 'Machine-readable output' }) as Argv<ChannelsArgs>,
  handler: runCommand(channelsStatus)
}

export const channelsCommand = commandGroup('channels', 'Inspect messaging channels', statusCommand)
