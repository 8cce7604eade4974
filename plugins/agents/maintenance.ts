// Session retention: the background pass (`session.maintenance` set: one
// pass after start, then hourly, one log line each) and `sessions.cleanup`.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { resolveMaintenance } from '../../src/sessions/maintenance-policy.js'
import type { CleanupReport } from '../../src/sessions/index.js'

const PASS_INTERVAL_MS = 3_600_000

export interface CleanupRequest {
  dryRun: boolean
  /** Remove even in "warn" mode. */
  enforce: boolean
  agentId?: string
  activeKey?: string
}

export interface CleanupResult extends CleanupReport {
  ok: true
  mode: 'enforce' | 'warn'
  removed: number
}

export async function runCleanup (app: FastifyInstance, req: CleanupRequest): Promise<CleanupResult> {
  const { mode, policy } = resolveMaintenance(app.configStore.config)
  const report = await app.sessions.cleanup({
    ...policy,
    dryRun: req.dryRun || (mode === 'warn' && !req.enforce),
    // A session with a run in flight is in use, whatever its age.
    protect: (key) => key === req.activeKey || app.agents.activeRuns(key).length > 0,
    ...(req.agentId !== undefined ? { agentId: req.agentId } : {})
  })
  const removed = report.agents.reduce((n, a) => n + a.sessionsBefore - a.sessionsAfter, 0)
  return { ok: true, mode, removed, ...report }
}

/** Starts the background pass; the returned stop function resolves once a running pass has ended. */
export function startMaintenance (app: FastifyInstance, log: FastifyBaseLogger): () => Promise<void> {
  let running: Promise<void> | undefined
  const pass = (): void => {
    const { configured } = resolveMaintenance(app.configStore.config)
    if (!configured || running) return
    const started = app.gateway.now()
    running = runCleanup(app, { dryRun: false, enforce: false }).then(
      (r) => {
        const sum = (f: 'pruned' | 'capped' | 'evicted' | 'archivesRemoved') => r.agents.reduce((n, a) => n + a[f], 0)
        log.info({
          mode: r.mode,
          dryRun: r.dryRun,
          agents: r.agents.length,
          removed: r.removed,
          pruned: sum('pruned'),
          capped: sum('capped'),
          evicted: sum('evicted'),
          archivesRemoved: sum('archivesRemoved'),
          durationMs: app.gateway.now() - started
        }, 'session maintenance pass')
      },
      (err: unknown) => { log.warn({ err }, 'session maintenance pass failed') }
    ).finally(() => { running = undefined })
  }
  const first = setImmediate(pass)
  const timer = setInterval(pass, PASS_INTERVAL_MS).unref()
  return async () => {
    clearImmediate(first)
    clearInterval(timer)
    await running
  }
}
