// `openclaw gateway [run]`: start the gateway in the foreground.
import type { CommandModule, Argv } from 'yargs'
import { runGateway } from '../server.js'
import { StartupError, EXIT_FAILURE } from '../errors.js'
import { readVersion } from '../package-info.js'
import { localOptions } from './common/yargs.js'
import { gatewayCallCommand } from './gateway-call.js'
import { gatewayInstallCommand } from './gateway-install.js'
import { gatewayRestartCommand } from './gateway-restart.js'
import { gatewayStatusCommand } from './gateway-status.js'
import { gatewayStopCommand } from './gateway-stop.js'
import { gatewayHealthCommand } from './health.js'

interface RunArgs {
  port?: number
  bind?: string
  token?: string
  password?: string
  auth?: string
  force?: boolean
  verbose?: boolean
  'allow-unconfigured'?: boolean
  dev?: boolean
  profile?: string
}

function runOptions (y: Argv): Argv<RunArgs> {
  return y
    .option('port', { type: 'number', description: 'Port to listen on (default 18789; --dev 19001)' })
    .option('bind', { type: 'string', choices: ['loopback', 'lan', 'custom'], description: 'Bind mode (default loopback)' })
    .option('token', { type: 'string', description: 'Shared token clients must present' })
    .option('password', { type: 'string', description: 'Shared password clients must present' })
    .option('auth', { type: 'string', choices: ['none', 'token', 'password'], description: 'Auth mode' })
    .option('force', { type: 'boolean', description: 'Kill whatever listens on the port first' })
    .option('verbose', { type: 'boolean', description: 'Mirror debug logs to stdout' })
    .option('allow-unconfigured', { type: 'boolean', description: 'Start without a config file (creates a minimal local config)' }) as Argv<RunArgs>
}

export async function runForeground (args: RunArgs): Promise<void> {
  try {
    await runGateway({
      env: process.env,
      version: readVersion(),
      stdoutIsTTY: process.stdout.isTTY === true,
      cli: {
        port: args.port,
        bind: args.bind,
        token: args.token,
        password: args.password,
        auth: args.auth,
        force: args.force,
        verbose: args.verbose,
        allowUnconfigured: args['allow-unconfigured'],
        dev: args.dev,
        profile: args.profile
      }
    })
  } catch (err) {
    const code = err instanceof StartupError ? err.exitCode : EXIT_FAILURE
    process.stderr.write(err instanceof StartupError ? `${err.message}\n` : `gateway failed to start: ${(err as Error).stack ?? String(err)}\n`)
    // Not process.exit(): the log file may still be opening, and pino's exit hook throws if it
    // flushes it then. A failed start has released everything, so the process ends by itself;
    // the unref'd timer only backstops a leaked handle.
    process.exitCode = code
    setTimeout(() => process.exit(code), 2000).unref()
  }
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
  builder: (y) => localOptions(runOptions(y), ['port', 'bind', 'token', 'password', 'auth', 'force', 'verbose', 'allow-unconfigured'])
    .command(run)
    .command(gatewayStatusCommand)
    .command(gatewayInstallCommand)
    .command(gatewayRestartCommand)
    .command(gatewayStopCommand)
    .command(gatewayCallCommand)
    .command(gatewayHealthCommand),
  handler: runForeground
}
