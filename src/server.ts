// Starts a gateway process: config and start guards, logging, the state-dir
// lock, `--force`, listen with retries, and graceful shutdown on signals.
import { performance } from 'node:perf_hooks'
import closeWithGrace from 'close-with-grace'
import { buildGateway, type GatewayApp } from './app.js'
import { loadConfigFile, type ConfigSnapshot } from './config/load.js'
import { dailyLogFile, resolvePaths, type Env, type GatewayPaths } from './config/paths.js'
import { resolveSecrets, SecretError } from './config/secrets.js'
import { isLoopbackHost, resolveAuth, resolveListen, type AuthSettings, type CliOverrides, type ListenSettings } from './config/settings.js'
import { acquireStateLock, ensureGeneratedToken, tokenFile, writeMinimalConfig } from './config/state.js'
import { ConfigStore, type RuntimeConfig } from './config/store.js'
import type { GatewayConfig } from '../schemas/config.js'
import type { ConfigSource } from '../plugins/reload.js'
import { ConfigError, EXIT_FAILURE, StartupError } from './errors/index.js'
import { normalizeBasePath } from './http/control-ui.js'
import { freePort, stopLockOwner } from './force.js'
import { LogFile } from './logging/log-file.js'
import { createLogging, type Logger } from './logging/logger.js'
import type { Level } from 'pino'

export interface StartOptions {
  env: Env
  version: string
  cli: CliOverrides & {
    dev?: boolean | undefined
    profile?: string | undefined
    allowUnconfigured?: boolean | undefined
    force?: boolean | undefined
    verbose?: boolean | undefined
  }
  stdoutIsTTY?: boolean
  listenRetries?: number
  listenRetryDelayMs?: number
}

/** An in-process restart: when it began, and the config to fall back on if the file is gone or broken. */
export interface RestartContext {
  /** performance.now() when the restart began. */
  beganAt: number
  lastGood: ConfigSnapshot
  /** The process's one log file: kept across restarts so late lines of the old instance still land, and no fd leaks. */
  logFile: LogFile
}

export interface RunningGateway {
  app: GatewayApp
  /** The config this gateway runs on (the fallback for the next restart). */
  config: () => ConfigSnapshot
  paths: GatewayPaths
  listen: ListenSettings
  logger: Logger
  url: string
  /** The log file this run writes to; an in-process restart hands it on. */
  logFile: LogFile
  close: () => Promise<void>
}

const BIND_WITHOUT_AUTH = 'set gateway.auth.token/password, or set OPENCLAW_GATEWAY_TOKEN/OPENCLAW_GATEWAY_PASSWORD; legacy CLAWDBOT_* and MOLTBOT_* environment variables are ignored'

export async function startGateway (opts: StartOptions, restart?: RestartContext): Promise<RunningGateway> {
  const { env, cli } = opts
  const dev = cli.dev === true
  const paths = resolvePaths({ env, profile: cli.profile, dev })
  const { snapshot, fallback } = await loadStartupConfig(paths, cli.allowUnconfigured === true, env, restart?.lastGood)
  const config = snapshot.config

  const logFile = restart?.logFile ?? new LogFile(logFileSettings(config, paths))
  if (restart !== undefined) logFile.configure(logFileSettings(config, paths))
  const { logger, setFileLevel } = createLogging({
    level: logLevel(config, env),
    file: logFile,
    stdout: { level: cli.verbose === true ? 'debug' : 'info', colorize: opts.stdoutIsTTY === true }
  })
  const log = logger.child({ subsystem: 'gateway' })
  log.info({ configPath: paths.configPath }, 'loading configuration…')
  if (fallback !== undefined) log.warn({ path: paths.configPath }, fallback)
  for (const w of snapshot.warnings) log.warn(w)

  log.info('resolving authentication…')
  const secrets = await resolveSecrets(config, env).catch((err: unknown) => {
    if (err instanceof SecretError) throw new StartupError('SECRET_UNRESOLVED', `secret resolution failed: ${err.message}`)
    throw err
  })
  const configuredAuth = resolveAuth(config, secrets, cli, env)
  const listen = resolveListen(config, cli, env, dev)
  // Checked before a token is generated: a refused start leaves no credentials behind.
  if (!isLoopbackHost(listen.host) && (configuredAuth.mode === 'none' || (configuredAuth.mode === 'token' && configuredAuth.token === undefined))) {
    throw new StartupError('BIND_WITHOUT_AUTH', `refusing to bind gateway to ${listen.host}:${listen.port} without auth (${BIND_WITHOUT_AUTH})`)
  }
  const auth = await withGeneratedToken(configuredAuth, paths)
  const initial: RuntimeConfig = { snapshot, secrets, auth }
  // logging.* applies live: the file's level, its path and its rotation size.
  const applyLogging = (before: GatewayConfig, after: GatewayConfig) => {
    if (logLevel(before, env) !== logLevel(after, env)) setFileLevel(logLevel(after, env))
    const file = logFileSettings(after, paths)
    if (before.logging?.file !== after.logging?.file || before.logging?.maxFileBytes !== after.logging?.maxFileBytes) logFile.configure(file)
  }
  const scrub = (r: RuntimeConfig) => { logFile.setSecrets([...r.secrets.values, r.auth.token, r.auth.password].filter((v): v is string => v !== undefined)) }
  scrub(initial)

  if (cli.force === true) {
    const old = await stopLockOwner(paths.stateDir)
    if (old !== undefined) log.info({ pid: old.pid, port: old.port, signal: old.signal }, `force: stopped the running gateway (pid ${old.pid}, port ${old.port})`)
  }
  const lock = await acquireStateLock(paths.stateDir, { port: listen.port })
  let app: GatewayApp | undefined
  try {
    if (cli.force === true) {
      for (const r of await freePort(listen.port)) log.info({ pid: r.pid, signal: r.signal }, `force: killed pid ${r.pid} on port ${listen.port}`)
    }
    log.info('starting...')
    const store = new ConfigStore(initial)
    if (fallback !== undefined) store.reportProblem('reload', { message: fallback, at: Date.now() })
    store.on('change', ({ previous, next }) => {
      scrub(next)
      applyLogging(previous.snapshot.config, next.snapshot.config)
    })
    app = await buildGateway({ store, paths, listen, logger, version: opts.version, env, logFile: () => logFile.file, configSource: createConfigSource(paths, cli, env) })
    app.addHook('onClose', async () => { await lock.release() })
    log.info('starting HTTP server...')
    await listenWithRetries(app, listen, opts.listenRetries ?? 4, opts.listenRetryDelayMs ?? 250)
  } catch (err) {
    await app?.close().catch(() => {})
    await lock.release()
    throw err
  }

  const url = `ws://${listen.host}:${listen.port}`
  log.info({ url }, `listening on ${url}`)
  // From process start the first time, from the restart's beginning after one.
  log.info(`ready (auth ${auth.mode}; ${Math.round(performance.now() - (restart?.beganAt ?? 0))}ms)`)
  const ui = app.configStore.config.gateway?.controlUi
  if (ui?.enabled !== false) {
    // Never the whole token: stdout and the file are scrubbed of it anyway. `openclaw dashboard` prints the signed-in link.
    const dashboard = `http://${displayHost(listen.host)}:${listen.port}${normalizeBasePath(ui?.basePath)}/`
    const token = auth.mode === 'token' && auth.token !== undefined
      ? ` — token ${auth.token.slice(0, 4)}…${auth.generated ? ` (full token in ${tokenFile(paths.stateDir)})` : ''}`
      : ''
    log.info(`dashboard: ${dashboard}${token}; \`openclaw dashboard\` prints a link that signs in`)
  }
  const close = async () => {
    await app!.close()
    logFile.flushSync()
  }
  return { app, config: () => app!.configStore.current.snapshot, paths, listen, logger, url, logFile, close }
}

/**
 * Runs until a signal: SIGINT/SIGTERM close gracefully and exit 0; SIGHUP asks
 * for a config reload; SIGUSR2 restarts in place. A restart-worthy config
 * change rebuilds the gateway in this process too.
 */
export async function runGateway (opts: StartOptions & { graceMs?: number }): Promise<RunningGateway> {
  let running: RunningGateway | undefined
  let restarting: Promise<void> | undefined
  const log = () => running?.logger.child({ subsystem: 'gateway' })

  // Signal handling goes in before start-up: once "listening on" is out, a SIGTERM or SIGHUP must
  // never meet the default action (death). A signal during start-up lets the start settle first.
  const starting = startGateway(opts)
  const grace = closeWithGrace({ delay: opts.graceMs ?? 10_000, skip: ['SIGHUP', 'SIGUSR2'], logger: { error: (m: unknown) => { log()?.error(String(m)) } } }, async ({ signal, err }) => {
    await starting.catch(() => {})
    if (err !== undefined) log()?.error({ err }, 'fatal error; shutting down')
    else log()?.info({ signal }, `received ${signal ?? 'close'}; shutting down`)
    await restarting
    await running?.close()
  })
  const onHup = () => {
    log()?.info('SIGHUP: config reload requested')
    running?.app.gateway.events.emit('reload-request')
  }
  const onUsr2 = () => {
    log()?.info('SIGUSR2: restart requested')
    running?.app.gateway.events.emit('restart-request', { reason: 'SIGUSR2', paths: [] })
  }
  process.on('SIGHUP', onHup)
  process.on('SIGUSR2', onUsr2)
  try {
    running = await starting
  } catch (err) {
    grace.uninstall()
    process.removeListener('SIGHUP', onHup)
    process.removeListener('SIGUSR2', onUsr2)
    throw err
  }

  const restart = async (current: RunningGateway, { reason }: { reason: string }) => {
    const beganAt = performance.now()
    log()?.info(`restarting: ${reason}`)
    current.app.gateway.closing = { reason: reason === 'SIGUSR2' ? 'gateway restarting' : 'config change requires restart', restartExpectedMs: 1500 }
    const lastGood = current.config()
    await current.close()
    log()?.info(`restart: stopped in ${Math.round(performance.now() - beganAt)}ms; starting again`)
    running = await startGateway(opts, { beganAt, lastGood, logFile: current.logFile })
    watch(running)
  }
  const watch = (current: RunningGateway) => {
    current.app.gateway.events.once('restart-request', (req) => {
      restarting = restart(current, req).catch((err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`)
        process.exit(err instanceof StartupError ? err.exitCode : EXIT_FAILURE)
      }).finally(() => { restarting = undefined })
    })
  }
  watch(running)
  return running
}

/** Re-reads the config file and resolves secrets and auth as at start-up (hot reload, secrets.reload). */
function createConfigSource (paths: GatewayPaths, cli: StartOptions['cli'], env: Env): ConfigSource {
  const resolve = async (snapshot: ConfigSnapshot): Promise<RuntimeConfig> => {
    const secrets = await resolveSecrets(snapshot.config, env)
    const auth = await withGeneratedToken(resolveAuth(snapshot.config, secrets, cli, env), paths)
    return { snapshot, secrets, auth }
  }
  return {
    path: paths.configPath,
    load: async () => await resolve(await loadConfigFile(paths.configPath, env)),
    reloadSecrets: async (current) => await resolve(current.snapshot)
  }
}

/** A restart whose file is gone or broken keeps the config it ran on (`fallback` says why). */
async function loadStartupConfig (paths: GatewayPaths, allowUnconfigured: boolean, env: Env, lastGood?: ConfigSnapshot): Promise<{ snapshot: ConfigSnapshot, fallback?: string }> {
  if (lastGood === undefined) return { snapshot: await loadFirstConfig(paths, allowUnconfigured, env) }
  try {
    const snapshot = await loadConfigFile(paths.configPath, env)
    if (snapshot.exists) return { snapshot }
    return { snapshot: lastGood, fallback: `config file ${paths.configPath} is missing (deleted or moved); restarted on the last good config` }
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    return { snapshot: lastGood, fallback: `${err.message}; restarted on the last good config` }
  }
}

async function loadFirstConfig (paths: GatewayPaths, allowUnconfigured: boolean, env: Env): Promise<ConfigSnapshot> {
  let snapshot = await loadConfigFile(paths.configPath, env)
  if (!snapshot.exists) {
    if (!allowUnconfigured) throw new StartupError('CONFIG_MISSING', 'Missing config. Run `openclaw setup` or set gateway.mode=local (or pass --allow-unconfigured).')
    await writeMinimalConfig(paths.configPath)
    snapshot = await loadConfigFile(paths.configPath, env)
  }
  const mode = snapshot.config.gateway?.mode
  if (!allowUnconfigured && mode === undefined) {
    throw new StartupError('MODE_MISSING', 'Gateway start blocked: existing config is missing gateway.mode. Treat this as suspicious or clobbered config. Re-run `openclaw onboard --mode local` or `openclaw setup`, set gateway.mode=local manually, or pass --allow-unconfigured.')
  }
  if (!allowUnconfigured && mode !== 'local') {
    throw new StartupError('MODE_REMOTE', `Gateway start blocked: set gateway.mode=local (current: ${String(mode)}) or pass --allow-unconfigured.`)
  }
  return snapshot
}

function logLevel (config: GatewayConfig, env: Env): Level | 'silent' {
  // The operator's environment outranks the file, on reload too.
  return (env.OPENCLAW_LOG_LEVEL as Level | undefined) ?? config.logging?.level ?? 'info'
}

function logFileSettings (config: GatewayConfig, paths: GatewayPaths): { pathFor: (d: Date) => string, maxFileBytes: number } {
  const file = config.logging?.file
  return {
    pathFor: file !== undefined ? () => file : (d) => dailyLogFile(paths, d),
    maxFileBytes: config.logging?.maxFileBytes ?? 100 * 1024 * 1024
  }
}

async function withGeneratedToken (auth: AuthSettings, paths: GatewayPaths): Promise<AuthSettings> {
  if (auth.mode !== 'token' || auth.token !== undefined) return auth
  return { ...auth, token: await ensureGeneratedToken(paths.stateDir), generated: true }
}

async function listenWithRetries (app: GatewayApp, listen: ListenSettings, retries: number, delayMs: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await app.listen({ port: listen.port, host: listen.host })
      return
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EADDRINUSE' && attempt < retries) {
        await new Promise((resolve) => setTimeout(resolve, delayMs))
        continue
      }
      if (code === 'EADDRINUSE') throw new StartupError('PORT_IN_USE', `another gateway instance is already listening on ws://${listen.host}:${listen.port}`, EXIT_FAILURE)
      throw new StartupError('BIND_FAILED', `failed to bind gateway socket on ws://${listen.host}:${listen.port}: ${(err as Error).message}`, EXIT_FAILURE)
    }
  }
}

function displayHost (host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
}
