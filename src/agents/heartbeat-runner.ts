// Agent heartbeats: one timer per agent whose heartbeat is configured, a turn
// on its heartbeat session (the main one unless `heartbeat.session` says
// otherwise) with the heartbeat prompt, HEARTBEAT.md and the system events
// queued since the last turn. A reply that only acknowledges is not delivered.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { GatewayConfig } from '../../schemas/config.js'
import type { HeartbeatEvent } from '../../schemas/rpc/heartbeat.js'
import type { ChatMessage } from '../providers/index.js'
import type { AgentEngine, RunHandle } from './engine.js'
import { effectivelyEmpty, heartbeatAck, heartbeatSettings, withinActiveHours } from './heartbeat.js'
import type { RunResult } from './types.js'

export type { HeartbeatEvent }

/** The timer functions, injected so tests drive time by hand. */
export interface HeartbeatTimers {
  setTimeout: (fn: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
}

export const realTimers: HeartbeatTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => { clearTimeout(handle as NodeJS.Timeout) }
}

/** Queued system events of a session: read them for a turn, drop them once the turn is admitted. */
export interface EventQueue {
  peek: (sessionKey: string) => ChatMessage[]
  drain: (sessionKey: string) => ChatMessage[]
}

export interface HeartbeatRunnerOptions {
  engine: Pick<AgentEngine, 'catalog' | 'start' | 'activeRuns' | 'resolveTarget'>
  events: EventQueue
  getConfig: () => Readonly<GatewayConfig>
  publish: (event: HeartbeatEvent) => void
  now: () => number
  timers?: HeartbeatTimers
  log: { warn: (obj: object, msg: string) => void }
  /** HEARTBEAT.md of a workspace, undefined when absent. */
  readHeartbeatFile?: (workspace: string) => Promise<string | undefined>
}

const PREVIEW_CHARS = 200
const ACK_STATUSES: ReadonlySet<HeartbeatEvent['status']> = new Set(['ok-token', 'ok-empty'])

export class HeartbeatRunner {
  private readonly timers = new Map<string, { everyMs: number, handle: unknown }>()
  private readonly opts: HeartbeatRunnerOptions
  private readonly clock: HeartbeatTimers
  private enabled = true
  private closed = false
  private last: HeartbeatEvent | null = null

  constructor (opts: HeartbeatRunnerOptions) {
    this.opts = opts
    this.clock = opts.timers ?? realTimers
  }

  get isEnabled (): boolean { return this.enabled }
  lastEvent (): HeartbeatEvent | null { return this.last }
  /** The latest event a previous process saved (before any beat of this one). */
  restore (last: HeartbeatEvent | null): void { this.last ??= last }

  /** Interval per agent id, for the agents whose heartbeat is on (and only while heartbeats are enabled). */
  scheduled (): Map<string, number> {
    return new Map([...this.timers].map(([id, t]) => [id, t.everyMs]))
  }

  /** (Re)builds the timers from the running config: call at start, after a config swap and on set-heartbeats. */
  reconcile (): void {
    const want = new Map<string, number>()
    if (this.enabled && !this.closed) {
      const config = this.opts.getConfig()
      for (const agent of this.opts.engine.catalog().agents) {
        const s = heartbeatSettings(config, agent.id)
        if (s.enabled) want.set(agent.id, s.everyMs!)
      }
    }
    for (const [id, t] of this.timers) {
      if (want.get(id) === t.everyMs) continue
      this.clock.clearTimeout(t.handle)
      this.timers.delete(id)
    }
    for (const [id, ms] of want) if (!this.timers.has(id)) this.schedule(id, ms)
  }

  setEnabled (enabled: boolean): void {
    this.enabled = enabled
    this.reconcile()
  }

  close (): void {
    this.closed = true
    this.reconcile()
  }

  /**
   * One heartbeat turn now. `interval` beats skip outside active hours, while
   * the session is busy, and when HEARTBEAT.md is empty with nothing queued;
   * a `wake` always runs. Returns the run, or undefined when skipped.
   */
  async beat (agentId: string, sessionKey: string | undefined, reason: 'interval' | 'wake'): Promise<RunHandle | undefined> {
    const settings = heartbeatSettings(this.opts.getConfig(), agentId)
    const { agent, sessionKey: key } = this.opts.engine.resolveTarget(agentId, sessionKey ?? settings.session)
    const ts = this.opts.now()
    const skip = (why: string): undefined => { this.emit({ ts, status: 'skipped', agentId: agent.id, sessionKey: key, reason: why }); return undefined }
    if (reason === 'interval') {
      if (!withinActiveHours(settings.activeHours, ts)) return skip('quiet-hours')
      if (this.opts.engine.activeRuns(key).length > 0) return skip('requests-in-flight')
    }
    const file = await (this.opts.readHeartbeatFile ?? readHeartbeatFile)(agent.workspace)
    const empty = file === undefined || effectivelyEmpty(file)
    const queued = this.opts.events.peek(key)
    if (reason === 'interval' && file !== undefined && empty && queued.length === 0) return skip('empty-heartbeat-file')
    const prompt = empty ? settings.prompt : `${settings.prompt}\n\n## HEARTBEAT.md\n\n${file.trim()}`
    const handle = this.opts.engine.start({
      source: 'heartbeat',
      agentId: agent.id,
      sessionKey: key,
      input: [...queued, { role: 'user', content: prompt }],
      // "Nothing to report" leaves no trace: not in the transcript, not on the bus.
      keepTurn: (r) => !ACK_STATUSES.has(verdict(r, settings.ackMaxChars).status),
      ...(settings.model !== undefined ? { modelOverride: settings.model } : {})
    })
    // Admitted: the events are in this turn's input now.
    this.opts.events.drain(key)
    handle.done.then(
      (r) => { this.emit(verdict(r, settings.ackMaxChars)) },
      (err: unknown) => { this.emit({ ts: this.opts.now(), status: 'failed', agentId: agent.id, sessionKey: key, reason: (err as Error).message }) }
    )
    return handle
  }

  private schedule (agentId: string, everyMs: number): void {
    const handle = this.clock.setTimeout(() => { void this.tick(agentId) }, everyMs)
    this.timers.set(agentId, { everyMs, handle })
  }

  /** The next beat is timed from the end of this one, so beats never overlap. */
  private async tick (agentId: string): Promise<void> {
    this.timers.delete(agentId)
    try {
      const handle = await this.beat(agentId, undefined, 'interval')
      await handle?.done
    } catch (err) {
      const sessionKey = `agent:${agentId}:main`
      this.emit({ ts: this.opts.now(), status: 'failed', agentId, sessionKey, reason: (err as Error).message })
    } finally {
      this.reconcile()
    }
  }

  private emit (event: HeartbeatEvent): void {
    this.last = event
    if (event.status === 'failed') this.opts.log.warn({ agentId: event.agentId, reason: event.reason }, 'heartbeat failed')
    this.opts.publish(event)
  }
}

function verdict (r: RunResult, ackMaxChars: number): HeartbeatEvent {
  const base = { ts: r.endedAt, agentId: r.agentId, sessionKey: r.sessionKey, durationMs: Math.max(0, r.endedAt - r.startedAt) }
  if (r.status !== 'ok') return { ...base, status: 'failed', reason: r.error?.message ?? r.status }
  const text = r.text.trim()
  if (text === '') return { ...base, status: 'ok-empty' }
  const { ack, rest } = heartbeatAck(text, ackMaxChars)
  if (ack) return { ...base, status: 'ok-token' }
  const shown = rest === '' ? text : rest
  return { ...base, status: 'sent', preview: shown.length > PREVIEW_CHARS ? `${shown.slice(0, PREVIEW_CHARS)}…` : shown }
}

async function readHeartbeatFile (workspace: string): Promise<string | undefined> {
  try {
    return await readFile(path.join(workspace, 'HEARTBEAT.md'), 'utf8')
  } catch {
    return undefined
  }
}
