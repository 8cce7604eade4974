// `openclaw health` and `openclaw gateway health`: RPC `health` from the
// running gateway (HTTP /healthz is the liveness alternative).
import type { Argv, CommandModule } from 'yargs'
import { connectionOptions, withGateway, type ConnectionArgs } from './common/connection.js'
import { loadContext, type GlobalArgs } from './common/context.js'
import { formatDuration, out, printJson, runCommand } from './common/output.js'
import { healthLines } from './common/summaries.js'

interface HealthArgs extends GlobalArgs, ConnectionArgs {
  json?: boolean
}

async function health (args: HealthArgs): Promise<number> {
  const ctx = await loadContext(args)
  const started = Date.now()
  return await withGateway(ctx, args, async (client, target) => {
    const payload = await client.request('health')
    if (args.json === true) {
      printJson(payload)
      return 0
    }
    const ok = (payload as { ok?: unknown } | null)?.ok === true
    out(`Gateway health: ${ok ? 'ok' : 'not ok'} (${target.url}, ${formatDuration(Date.now() - started)})`)
    for (const line of healthLines(payload).slice(1)) out(line)
    return ok ? 0 : 1
  })
}

const builder = (y: Argv) => connectionOptions(y, { timeoutDefault: 10_000 })
  .option('json', { type: 'boolean', description: 'Print the health snapshot as JSON' }) as Argv<HealthArgs>

export const healthCommand: CommandModule<object, HealthArgs> = {
  command: 'health',
  describe: 'Show the running gateway\'s health (RPC health)',
  builder,
  handler: runCommand(health)
}

export const gatewayHealthCommand: CommandModule<object, HealthArgs> = { ...healthCommand }
