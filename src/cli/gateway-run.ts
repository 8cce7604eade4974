// Runs the gateway in the foreground for `openclaw gateway [run]`, whether the flags came
// through yargs or through the fast path in ./index.ts.
import { runGateway } from '../server.js'
import { StartupError, EXIT_FAILURE } from '../errors/index.js'
import { readVersion } from '../package-info.js'
import type { RunArgs } from './gateway-options.js'

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
