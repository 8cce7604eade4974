// What every command starts from: the environment, the resolved paths and the
// config file (loaded leniently: a broken config is reported, not fatal, so
// `status`, `doctor` and `logs` still work while it is being fixed).
import type { GatewayConfig } from '../../../schemas/config.js'
import { loadConfigFile, type ConfigSnapshot } from '../../config/load.js'
import { dailyLogFile, resolvePaths, type Env, type GatewayPaths } from '../../config/paths.js'
import { readVersion } from '../../package-info.js'

export interface GlobalArgs {
  dev?: boolean | undefined
  profile?: string | undefined
}

export interface CliContext {
  env: Env
  dev: boolean
  paths: GatewayPaths
  version: string
  /** Undefined when the file could not be read, parsed or validated (see configError). */
  snapshot: ConfigSnapshot | undefined
  configError: Error | undefined
  /** The validated config, or {} when there is none or it is broken. */
  config: Readonly<GatewayConfig>
}

export async function loadContext (args: GlobalArgs, env: Env = process.env): Promise<CliContext> {
  const dev = args.dev === true
  const paths = resolvePaths({ env, profile: args.profile, dev })
  let snapshot: ConfigSnapshot | undefined
  let configError: Error | undefined
  try {
    // The CLI's shell often lacks the service's variables (API keys): an unset one is a warning here.
    snapshot = await loadConfigFile(paths.configPath, env, { unsetEnv: 'warn' })
  } catch (err) {
    configError = err as Error
  }
  return { env, dev, paths, version: readVersion(), snapshot, configError, config: snapshot?.config ?? {} }
}

/** The file the gateway logs into today (logging.file overrides the daily file). */
export function gatewayLogFile (ctx: CliContext, now: Date = new Date()): string {
  return ctx.config.logging?.file ?? dailyLogFile(ctx.paths, now)
}
