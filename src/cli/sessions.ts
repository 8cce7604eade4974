// `openclaw sessions cleanup`: one retention pass in the running gateway
// (RPC `sessions.cleanup`), which owns the state dir and its lock.
import type { Argv, CommandModule } from 'yargs'
import { connectionOptions, runOnGateway, type ConnectionArgs } from './common/connection.js'
import type { GlobalArgs } from './common/context.js'
import { out, printJson, runCommand } from './common/output.js'
import { commandGroup, type JsonArgs } from './common/yargs.js'

type CleanupArgs = GlobalArgs & ConnectionArgs & JsonArgs & {
  dryRun?: boolean
  enforce?: boolean
  agent?: string
  allAgents?: boolean
  activeKey?: string
}

interface AgentLine { agentId: string, sessionsBefore: number, sessionsAfter: number, pruned: number, capped: number, evicted: number, archivesRemoved: number, keys: string[] }
interface CleanupResult { dryRun: boolean, mode: string, removed: number, agents: AgentLine[] }

async function cleanup (args: CleanupArgs): Promise<number> {
  return await runOnGateway(args, async ({ client }) => {
    const res = await client.request<CleanupResult>('sessions.cleanup', {
      dryRun: args.dryRun === true,
      enforce: args.enforce === true,
      ...(args.agent !== undefined ? { agent: args.agent } : {}),
      ...(args.allAgents === true ? { allAgents: true } : {}),
      ...(args.activeKey !== undefined ? { activeKey: args.activeKey } : {})
    })
    if (args.json === true) {
      printJson(res)
      return 0
    }
    const verb = res.dryRun ? 'would remove' : 'removed'
    out(`${res.dryRun ? 'Dry run' : 'Cleanup'} (mode ${res.mode}): ${verb} ${res.removed} session(s)`)
    for (const a of res.agents) {
      out(`  ${a.agentId}: ${a.sessionsBefore} → ${a.sessionsAfter} (age ${a.pruned}, count ${a.capped}, disk ${a.evicted}; archives ${a.archivesRemoved})`)
      for (const key of a.keys) out(`    ${res.dryRun ? 'remove' : 'removed'} ${key}`)
    }
    return 0
  })
}

const cleanupCommand: CommandModule<object, CleanupArgs> = {
  command: 'cleanup',
  describe: 'Apply session.maintenance now (age, count and disk limits)',
  builder: (y: Argv) => connectionOptions(y)
    .option('dry-run', { type: 'boolean', description: 'List what would be removed; remove nothing' })
    .option('enforce', { type: 'boolean', description: 'Remove even when session.maintenance.mode is "warn"' })
    .option('agent', { type: 'string', description: 'This agent\'s sessions (default: the default agent)' })
    .option('all-agents', { type: 'boolean', description: 'Every agent\'s sessions' })
    .option('active-key', { type: 'string', description: 'A session key to keep whatever the policy says' })
    .option('json', { type: 'boolean', description: 'Print the RPC result as JSON' }) as Argv<CleanupArgs>,
  handler: runCommand(cleanup)
}

export const sessionsCommand = commandGroup('sessions', 'Manage stored sessions', cleanupCommand)
