// `openclaw secrets reload`: the gateway re-resolves its SecretRefs and swaps
// them in atomically (RPC `secrets.reload`); a failure keeps the last good set.
import type { Argv, CommandModule } from 'yargs'
import { connectionOptions, runOnGateway, type ConnectionArgs } from './common/connection.js'
import type { GlobalArgs } from './common/context.js'
import { out, printJson, runCommand } from './common/output.js'
import { commandGroup, type JsonArgs } from './common/yargs.js'

type ReloadArgs = GlobalArgs & ConnectionArgs & JsonArgs

async function reload (args: ReloadArgs): Promise<number> {
  return await runOnGateway(args, async ({ client }) => {
    const res = await client.request<{ ok?: boolean, warningCount?: number }>('secrets.reload', {})
    if (args.json === true) printJson(res)
    else out(`ok (warnings: ${typeof res?.warningCount === 'number' ? res.warningCount : 0})`)
    return 0
  })
}

const reloadCommand: CommandModule<object, ReloadArgs> = {
  command: 'reload',
  describe: 'Re-resolve secret references in the running gateway',
  builder: (y: Argv) => connectionOptions(y)
    .option('json', { type: 'boolean', description: 'Print the RPC result as JSON' }) as Argv<ReloadArgs>,
  handler: runCommand(reload)
}

export const secretsCommand = commandGroup('secrets', 'Manage the gateway\'s secrets', reloadCommand)
