// The full `openclaw` CLI. Each command lives in its own file; this one only assembles
// them. Unknown commands and flags print help and exit non-zero.
import yargs from 'yargs'
import { channelsCommand } from './channels.js'
import { dashboardCommand } from './dashboard.js'
import { doctorCommand } from './doctor.js'
import { gatewayCommand } from './gateway.js'
import { GLOBAL_FLAGS } from './gateway-options.js'
import { healthCommand } from './health.js'
import { sessionsCommand } from './sessions.js'
import { logsCommand } from './logs.js'
import { secretsCommand } from './secrets.js'
import { setupCommand } from './setup.js'
import { statusCommand } from './status.js'

export async function runCli (argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('openclaw')
    .option('dev', { ...GLOBAL_FLAGS.dev, global: true })
    .option('profile', { ...GLOBAL_FLAGS.profile, global: true })
    .command(gatewayCommand)
    .command(statusCommand)
    .command(healthCommand)
    .command(logsCommand)
    .command(doctorCommand)
    .command(dashboardCommand)
    .command(secretsCommand)
    .command(sessionsCommand)
    .command(channelsCommand)
    .command(setupCommand)
    .demandCommand(1, 'Name a command.')
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .parseAsync()
}
