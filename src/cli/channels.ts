// `openclaw channels status [--probe]`: live channel state from RPC
// `channels.status` when the gateway advertises it (each account, and with
// --probe a live check of its credentials); otherwise what the config declares
// under `channels.*`. --probe also fails the command when the gateway does not
// answer. `openclaw channels approve <code>` approves a pairing request.
import type { Argv, CommandModule } from 'yargs'
import { GatewayClientError } from '../errors/client.js'
import type { GatewayClient } from '../client/gateway-client.js'
import { asCliError, connectionOptions, connectHint, openClient, resolveTarget, runOnGateway, warnIfConfigBroken, type ConnectionArgs } from './common/connection.js'
import { loadContext, type GlobalArgs } from './common/context.js'
import { CliError, formatDuration, out, printJson, runCommand } from './common/output.js'
import type { JsonArgs } from './common/yargs.js'

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
  const accounts = (typeof payload.channelAccounts === 'object' && payload.channelAccounts !== null ? payload.channelAccounts : {}) as Record<string, unknown>
  const labels = (typeof payload.channelLabels === 'object' && payload.channelLabels !== null ? payload.channelLabels : {}) as Record<string, unknown>
  for (const id of order) {
    const list = Array.isArray(accounts[id]) ? accounts[id] as Obj[] : []
    const label = typeof labels[id] === 'string' ? labels[id] : id
    if (list.length === 0) {
      const c = (typeof channels[id] === 'object' && channels[id] !== null ? channels[id] : {}) as Obj
      out(`- ${label}: ${accountFacts(c)}`)
      continue
    }
    for (const a of list) out(`- ${label} ${String(a.accountId)}: ${accountFacts(a)}`)
  }
}

/** `enabled, configured, running, connected, mode:polling, bot:@x, token:config, dm:pairing, works; error: …` */
function accountFacts (a: Obj): string {
  const facts: string[] = []
  if (a.enabled === false) facts.push('disabled')
  else if (a.enabled === true) facts.push('enabled')
  // OpenClaw's CLI words: running / stopped, connected / disconnected, works / probe failed.
  if (typeof a.configured === 'boolean') facts.push(a.configured ? 'configured' : 'not configured')
  if (typeof a.running === 'boolean') facts.push(a.running ? 'running' : 'stopped')
  if (typeof a.connected === 'boolean') facts.push(a.connected ? 'connected' : 'disconnected')
  if (typeof a.mode === 'string') facts.push(`mode:${a.mode}`)
  const bot = (typeof a.bot === 'object' && a.bot !== null ? a.bot : undefined) as Obj | undefined
  if (typeof bot?.username === 'string') facts.push(`bot:@${bot.username}`)
  if (typeof a.tokenSource === 'string') facts.push(`token:${a.tokenSource}`)
  if (typeof a.dmPolicy === 'string') facts.push(`dm:${a.dmPolicy}`)
  const probe = (typeof a.probe === 'object' && a.probe !== null ? a.probe : undefined) as Obj | undefined
  if (probe !== undefined) facts.push(probe.ok === true ? 'works' : `probe failed${typeof probe.error === 'string' ? ` (${probe.error})` : ''}`)
  const error = typeof a.lastError === 'string' ? `; error: ${a.lastError}` : ''
  return `${facts.length === 0 ? 'present' : facts.join(', ')}${error}`
}

interface ApproveArgs extends GlobalArgs, ConnectionArgs, JsonArgs {
  code: string
  channel?: string
  account?: string
  notify?: boolean
}

interface PairingList { requests?: Array<{ requestId: string, channel: string, accountId: string, senderId: string, senderLabel: string }> }

async function channelsApprove (args: ApproveArgs): Promise<number> {
  return await runOnGateway(args, async ({ client }) => {
    const list = await client.request<PairingList>('channels.pairing.list', {
      ...(args.channel !== undefined ? { channel: args.channel } : {}),
      ...(args.account !== undefined ? { accountId: args.account } : {})
    })
    const code = args.code.trim().toUpperCase()
    const request = (list?.requests ?? []).find((r) => r.requestId.toUpperCase() === code)
    if (request === undefined) throw new CliError(`no pending pairing request with code ${code}`, { hint: 'Codes expire after an hour; the peer gets a new one with its next message.' })
    const res = await client.request<{ senderId: string, notification: string }>('channels.pairing.approve', {
      channel: request.channel, accountId: request.accountId, requestId: request.requestId, notify: args.notify !== false
    })
    if (args.json === true) printJson({ ...res, channel: request.channel, accountId: request.accountId })
    else out(`Approved ${request.senderLabel} (${request.channel} ${request.accountId}, peer ${res.senderId}); notification: ${res.notification}`)
    return 0
  })
}

const approveCommand: CommandModule<object, ApproveArgs> = {
  command: 'approve <code>',
  describe: 'Approve a pairing request: the peer that was sent <code> may talk to the agent',
  builder: (y: Argv) => connectionOptions(y)
    .positional('code', { type: 'string', demandOption: true, description: 'The pairing code the peer was sent' })
    .option('channel', { type: 'string', description: 'Only this channel (telegram)' })
    .option('account', { type: 'string', description: 'Only this account id' })
    .option('notify', { type: 'boolean', default: true, description: 'Tell the peer it was approved (--no-notify: do not)' })
    .option('json', { type: 'boolean', description: 'Print the RPC result as JSON' }) as unknown as Argv<ApproveArgs>,
  handler: runCommand(channelsApprove)
}

const statusCommand: CommandModule<object, ChannelsArgs> = {
  command: 'status',
  describe: 'Show channel state (live when the gateway reports it)',
  builder: (y: Argv) => connectionOptions(y, { timeoutDefault: 10_000 })
    .option('probe', { type: 'boolean', description: 'Probe the gateway too; exit 1 when it does not answer' })
    .option('json', { type: 'boolean', description: 'Machine-readable output' }) as Argv<ChannelsArgs>,
  handler: runCommand(channelsStatus)
}

export const channelsCommand: CommandModule = {
  command: 'channels',
  describe: 'Inspect messaging channels and approve pairing requests',
  builder: (y: Argv) => y.command(statusCommand).command(approveCommand).demandCommand(1, 'Name a channels command.'),
  handler: () => {}
}
