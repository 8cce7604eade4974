// `openclaw health` and `openclaw gateway health`: RPC `health` from the
// running gateway (HTTP /healthz is the liveness alternative).
import type { Argv, CommandModule } from 'yargs'
import { connectionOptions, runOnGateway, type ConnectionArgs } from './common/connection.js'
import type { GlobalArgs } from './common/context.js'
import { formatDuration, out, printJson, runCommand } from './common/output.js'
import { healthLines } from './common/summaries.js'
import type { JsonArgs } from './common/yargs.js'

type HealthArgs = GlobalArgs & ConnectionArgs & JsonArgs

async function health (args: HealthArgs): Promise<number> {
  return await runOnGateway(args, async ({ client, target, connectStartedAt }) => {
    const payload = await client.request('health')
    if (args.json === true) {
      printJson(payload)
      return 0
    }
    const ok = (payload as { ok?: unknown } | null)?.ok === true
    out(`Gateway health: ${ok ? 'ok' : 'not ok'} (${target.url}, ${formatDuration(Date.now() - connectStartedAt)})`)
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
