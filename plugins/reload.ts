// Config reload: watch the active config file, debounce, re-read, diff the
// leaf paths and either swap the snapshot (hot) or ask the server for a
// restart. A file that fails to load, or has gone missing, is skipped: the
// running config stays and health reports why until the next good load.
import { watch, type FSWatcher } from 'node:fs'
import path from 'node:path'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { diffPaths } from '../src/config/diff.js'
import { planReload, type ReloadMode } from '../src/config/reload-plan.js'
import { SecretError } from '../src/config/secrets.js'
import type { RuntimeConfig } from '../src/config/store.js'
import { registerConfigMethods, type ConfigRpcOptions } from './ws-rpc/methods/config.js'
import { registerSecretsMethods } from './ws-rpc/methods/secrets.js'

/** Re-reads the config file and resolves its secrets and auth, as at start-up. */
export interface ConfigSource {
  readonly path: string
  load: () => Promise<RuntimeConfig>
  /** Same config, secrets resolved again (`secrets.reload`). */
  reloadSecrets: (current: RuntimeConfig) => Promise<RuntimeConfig>
}

export interface ReloadOptions { source: ConfigSource, configRpc?: ConfigRpcOptions }

/**
 * What a reload did. `watch` follows `gateway.reload.mode`; `signal` (SIGHUP)
 * and `rpc` (a config write) are explicit requests and apply even with mode off.
 */
export type ReloadTrigger = 'watch' | 'signal' | 'rpc'
export interface ReloadOutcome {
  result: 'unchanged' | 'applied' | 'restarting' | 'not-applied' | 'failed'
  /** Paths now in effect. */
  hotPaths: string[]
  /** Paths that need a restart: being restarted (`restarting`) or left for the next one. */
  restartPaths: string[]
  /** Why the file could not be loaded (`failed`). */
  error?: string
}

export interface ReloadNowOptions {
  /** A restart this reload needs starts this much later (config.apply's `restartDelayMs`); 0 still lets the caller's reply go first. */
  restartDelayMs?: number
}

export interface ConfigReloader {
  /** Re-reads the file now (after the reloads already queued) and applies it as the mode says. */
  reloadNow: (trigger: ReloadTrigger, opts?: ReloadNowOptions) => Promise<ReloadOutcome>
  /** Resolves the running config's secrets again; a failure keeps the last good ones (and says so in health). */
  reloadSecrets: () => Promise<{ warningCount: number }>
}

declare module 'fastify' {
  interface FastifyInstance { configReload: ConfigReloader }
}

export default fp(async function reloadPlugin (app: FastifyInstance, opts: ReloadOptions) {
  const log = app.log.child({ subsystem: 'reload' })
  const store = app.configStore
  const mode = (): ReloadMode => store.config.gateway?.reload?.mode ?? 'hybrid'
  let timer: NodeJS.Timeout | undefined
  let queue: Promise<unknown> = Promise.resolve()
  let restarting = false
  let restartTimer: NodeJS.Timeout | undefined

  const failed = (error: string): ReloadOutcome => ({ result: 'failed', hotPaths: [], restartPaths: [], error })

  const load = async (trigger: ReloadTrigger): Promise<RuntimeConfig | ReloadOutcome> => {
    const at = app.gateway.now()
    try {
      const next = await opts.source.load()
      if (next.snapshot.exists) return next
      const message = `config file ${opts.source.path} is missing (deleted or moved); serving the last good config until it is back`
      log.warn({ trigger, path: opts.source.path }, message)
      store.reportProblem('reload', { message, at })
      return failed(message)
    } catch (err) {
      const message = (err as Error).message
      if (err instanceof SecretError) {
        log.warn({ trigger, reason: message }, `config reload skipped (secret resolution failed): ${message}`)
        store.reportProblem('secrets', { message, at })
      } else {
        log.warn({ trigger, reason: message }, `config reload skipped (invalid config): ${message}`)
      }
      store.reportProblem('reload', { message, at })
      return failed(message)
    }
  }

  const evaluate = async (trigger: ReloadTrigger, opts: ReloadNowOptions = {}): Promise<ReloadOutcome> => {
    if (restarting) return { result: 'restarting', hotPaths: [], restartPaths: [] }
    const next = await load(trigger)
    if (!('snapshot' in next)) return next
    store.clearProblems()
    const current = store.current
    const unchanged: ReloadOutcome = { result: 'unchanged', hotPaths: [], restartPaths: [] }
    if (next.snapshot.hash === current.snapshot.hash && trigger === 'watch') return unchanged
    const paths = diffPaths(current.snapshot.config, next.snapshot.config)
    const secretsChanged = next.auth.token !== current.auth.token || next.auth.password !== current.auth.password ||
      !sameValues(next.secrets.values, current.secrets.values)
    if (paths.length === 0 && !secretsChanged) return unchanged
    log.info({ paths }, `config change detected; evaluating reload (${paths.join(', ')})`)
    const effective = trigger !== 'watch' && mode() === 'off' ? 'hybrid' : mode()
    const plan = planReload(effective, paths)
    if (plan.action === 'skip') {
      log.info({ paths }, 'config reload is off (gateway.reload.mode=off); change not applied')
      return { result: 'not-applied', hotPaths: [], restartPaths: paths }
    }
    if (plan.action === 'restart') {
      restarting = true
      log.info({ paths: plan.restartPaths }, `config change requires gateway restart (${plan.restartPaths.join(', ')})`)
      restartTimer = setTimeout(() => {
        app.gateway.events.emit('restart-request', { reason: 'config change', paths: plan.restartPaths })
      }, opts.restartDelayMs ?? 0)
      return { result: 'restarting', hotPaths: [], restartPaths: plan.restartPaths }
    }
    if (plan.ignoredPaths.length > 0) log.warn({ paths: plan.ignoredPaths }, `config change needs a restart and reload mode is hot; not applied (${plan.ignoredPaths.join(', ')})`)
    // A secret rotated behind an unchanged file (SIGHUP) swaps with no path.
    store.swap(next, plan.hotPaths)
    log.info({ paths: plan.hotPaths }, `config hot reload applied (${plan.hotPaths.join(', ')})`)
    return { result: 'applied', hotPaths: plan.hotPaths, restartPaths: plan.ignoredPaths }
  }

  const enqueue = (trigger: ReloadTrigger, opts?: ReloadNowOptions): Promise<ReloadOutcome> => {
    const run = queue.then(() => evaluate(trigger, opts))
    queue = run.catch(() => {})
    return run
  }

  const schedule = (trigger: ReloadTrigger, delayMs: number) => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      enqueue(trigger).catch((err: unknown) => { log.error({ err }, 'config reload failed') })
    }, delayMs)
  }

  const reloadSecrets = async (): Promise<{ warningCount: number }> => {
    try {
      const next = await opts.source.reloadSecrets(store.current)
      store.swap(next, [])
      store.clearProblems(['secrets'])
      return { warningCount: next.snapshot.warnings.length }
    } catch (err) {
      const message = (err as Error).message
      log.warn({ reason: message }, 'secrets reload failed; keeping the last good secrets')
      store.reportProblem('secrets', { message, at: app.gateway.now() })
      throw err
    }
  }

  app.decorate('configReload', { reloadNow: enqueue, reloadSecrets })

  let watcher: FSWatcher | undefined
  app.addHook('onReady', async () => {
    const file = path.basename(opts.source.path)
    try {
      // The directory, not the file: editors save by rename or delete + create, which a file
      // watch would lose. Watched whatever the mode, so a switch to a watching mode takes effect.
      watcher = watch(path.dirname(opts.source.path), (_event, name) => {
        if (name === file && mode() !== 'off') schedule('watch', store.config.gateway?.reload?.debounceMs ?? 300)
      })
      watcher.on('error', (err) => { log.warn({ err }, 'config watcher failed; reload on change is off') })
    } catch (err) {
      log.warn({ err }, 'cannot watch the config directory; reload on change is off')
    }
  })
  const onSignal = () => { schedule('signal', 0) }
  app.gateway.events.on('reload-request', onSignal)

  registerSecretsMethods(app)
  registerConfigMethods(app, opts.configRpc ?? {})

  app.addHook('onClose', async () => {
    clearTimeout(timer)
    clearTimeout(restartTimer)
    watcher?.close()
    app.gateway.events.off('reload-request', onSignal)
    await queue
  })
}, { name: 'reload', fastify: '5.x', dependencies: ['config', 'rpc'] })

function sameValues (a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
