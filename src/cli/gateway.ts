// `openclaw gateway [run]`: start the gateway in the foreground.
import type { CommandModule, Argv } from 'yargs'
import { localOptions } from './common/yargs.js'
import { gatewayCallCommand } from './gateway-call.js'
import { gatewayInstallCommand } from './gateway-install.js'
import { gatewayRestartCommand } from './gateway-restart.js'
import { gatewayStatusCommand } from './gateway-status.js'
import { gatewayStopCommand } from './gateway-stop.js'
import { gatewayHealthCommand } from './health.js'
import { RUN_FLAGS, type RunArgs } from './gateway-options.js'
import { runForeground } from './gateway-run.js'

function runOptions (y: Argv): Argv<RunArgs> {
  return y.options(RUN_FLAGS) as Argv<RunArgs>
}

const run: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'Run the gateway in the foreground',
  builder: runOptions,
  handler: runForeground
}

export const gatewayCommand: CommandModule<object, RunArgs> = {
  command: 'gateway',
  describe: 'Run and manage the gateway',
  // Management subcommands live in their own files (gateway-*.ts).
  // yargs options are global by default; the run flags must not leak into the subcommands.
  builder: (y) => localOptions(runOptions(y), Object.keys(RUN_FLAGS))
    .command(run)
    .command(gatewayStatusCommand)
    .command(gatewayInstallCommand)
    .command(gatewayRestartCommand)
    .command(gatewayStopCommand)
    .command(gatewayCallCommand)
    .command(gatewayHealthCommand),
  handler: runForeground
}
