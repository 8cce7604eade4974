// `openclaw status`: what the running gateway reports about itself (RPC
// `status`) plus its health summary. Unreachable gateway: message, exit 1.
import type { Argv, CommandModule } from 'yargs'
import { connectionOptions, runOnGateway, type ConnectionArgs } from './common/connection.js'
import type { GlobalArgs } from './common/context.js'
import { formatDuration, out, printJson, runCommand } from './common/output.js'
import { capabilityOf } from './common/probe.js'
import { healthLines, statusLines } from './common/summaries.js'
import type { JsonArgs } from './common/yargs.js'

type StatusArgs = GlobalArgs & ConnectionArgs & JsonArgs

async function status (args: StatusArgs): Promise<number> {
  return await runOnGateway(args, async ({ ctx, client, target, connectStartedAt }) => {
    const latencyMs = Date.now() - connectStartedAt
    const [statusPayload, healthPayload] = await Promise.all([client.request('status'), client.request('health')])
    const gateway = {
      url: target.url,
      reachable: true,
      latencyMs,
      version: client.hello.server.version,
      connId: client.hello.server.connId,
      authMethod: client.hello.auth.method,
      capability: capabilityOf(client.scopes),
      scopes: client.scopes
    }
    if (args.json === true) {
      printJson({ gateway, status: statusPayload, health: healthPayload })
      return 0
    }
    out(`Gateway: reachable at ${target.url} (${formatDuration(latencyMs)})`)
    out(`Capability: ${gateway.capability}${gateway.authMethod === undefined ? '' : ` (auth ${gateway.authMethod})`}`)
    out(`Config: ${ctx.paths.configPath}`)
    const lines = statusLines(statusPayload)
    // Health repeats some facts status already gave (sessions, agents): keep the first.
    const seen = new Set(lines.map(label))
    for (const line of healthLines(healthPayload)) if (!seen.has(label(line))) lines.push(line)
    lines.forEach((line) => { out(line) })
    return 0
  })
}

function label (line: string): string { return line.slice(0, line.indexOf(':')) }

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: 'Show what the running gateway reports (RPC status + health)',
  builder: (y: Argv) => connectionOptions(y, { timeoutDefault: 10_000 })
    .option('json', { type: 'boolean', description: 'Machine-readable output' }) as Argv<StatusArgs>,
  handler: runCommand(status)
}
