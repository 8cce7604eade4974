// Config reload: watch the active config file, debounce, re-read, diff the
// leaf paths and either swap the snapshot (hot) or ask the server for a
// restart. A file that fails to load is skipped and the running config stays.
import { watch, type FSWatcher } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { diffPaths } from '../src/config/diff.js'
import { planReload, type ReloadMode } from '../src/config/reload-plan.js'
import type { RuntimeConfig } from '../src/config/store.js'
import { RpcError } from '../src/errors.js'
import { EmptyParams } from '../schemas/rpc/core.js'

/** Re-reads the config file and resolves its secrets and auth, as at start-up. */
export interface ConfigSource {
  readonly path: string
  load: () => Promise<RuntimeConfig>
  /** Same config, secrets resolved again (`secrets.reload`). */
  reloadSecrets: (current: RuntimeConfig) => Promise<RuntimeConfig>
}

export interface ReloadOptions { source: ConfigSource }

export default async function reloadPlugin (app: FastifyInstance, opts: ReloadOptions) {
  const log = app.log.child({ subsystem: 'reload' })
  const store = app.configStore
  const mode = (): ReloadMode => store.config.gateway?.reload?.mode ?? 'hybrid'
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()
  let restarting = false

  const evaluate = async (trigger: string) => {
    if (restarting) return
    let next: RuntimeConfig
    try {
      next = await opts.source.load()
    } catch (err) {
      log.warn({ trigger, reason: (err as Error).message }, `config reload skipped (invalid config): ${(err as Error).message}`)
      return
    }
    const current = store.current
    if (next.snapshot.hash === current.snapshot.hash && trigger !== 'signal') return
    const paths = diffPaths(current.snapshot.config, next.snapshot.config)
    const authChanged = next.auth.token !== current.auth.token || next.auth.password !== current.auth.password
    if (paths.length === 0 && !authChanged) return
    log.info({ paths }, `config change detected; evaluating reload (${paths.join(', ')})`)
    // SIGHUP is an explicit operator request: it applies even with watching off.
    const effective = trigger === 'signal' && mode() === 'off' ? 'hybrid' : mode()
    const plan = planReload(effective, paths)
    if (plan.action === 'skip') {
      log.info({ paths }, 'config reload is off (gateway.reload.mode=off); change not applied')
      return
    }
    if (plan.action === 'restart') {
      restarting = true
      log.info({ paths: plan.restartPaths }, `config change requires gateway restart (${plan.restartPaths.join(', ')})`)
      app.gateway.events.emit('restart-request', { reason: 'config change', paths: plan.restartPaths })
      return
    }
    if (plan.ignoredPaths.length > 0) log.warn({ paths: plan.ignoredPaths }, `config change needs a restart and reload mode is hot; not applied (${plan.ignoredPaths.join(', ')})`)
    store.swap(next, plan.hotPaths)
    log.info({ paths: plan.hotPaths }, `config hot reload applied (${plan.hotPaths.join(', ')})`)
  }

  const schedule = (trigger: string, delayMs: number) => {
    clearTimeout(timer)
    timer = setTimeout(() => { running = running.then(() => evaluate(trigger)) }, delayMs)
  }

  let watcher: FSWatcher | undefined
  app.addHook('onReady', async () => {
    if (mode() === 'off') return
    const file = path.basename(opts.source.path)
    try {
      // Watch the directory: editors replace files by rename, which a file watch would miss.
      watcher = watch(path.dirname(opts.source.path), (_event, name) => {
        if (name === file) schedule('watch', store.config.gateway?.reload?.debounceMs ?? 300)
      })
      watcher.on('error', (err) => { log.warn({ err }, 'config watcher failed; reload on change is off') })
    } catch (err) {
      log.warn({ err }, 'cannot watch the config directory; reload on change is off')
    }
  })
  const onSignal = () => { schedule('signal', 0) }
  app.gateway.events.on('reload-request', onSignal)

  app.rpc.register('secrets.reload', {
    scope: 'operator.admin',
    params: EmptyParams,
    handler: async () => {
      try {
        const next = await opts.source.reloadSecrets(store.current)
        store.swap(next, [])
        return { ok: true, warningCount: next.snapshot.warnings.length }
      } catch (err) {
        log.warn({ reason: (err as Error).message }, 'secrets reload failed; keeping the last good secrets')
        throw new RpcError('UNAVAILABLE', 'secrets.reload failed', { details: { reason: (err as Error).message } })
      }
    }
  })

  app.addHook('onClose', async () => {
    clearTimeout(timer)
    watcher?.close()
    app.gateway.events.off('reload-request', onSignal)
    await running
  })
}
