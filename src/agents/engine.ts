// The agent engine: admits runs, serializes them per session, caps global
// concurrency, tracks them for wait/abort, and publishes their events.
import { randomUUID } from 'node:crypto'
import type { GatewayConfig } from '../../schemas/config.js'
import type { SessionStore } from '../sessions/index.js'
import type { ToolRegistry } from '../tools/index.js'
import { preencode, type Preencoded, type ProviderAdapter, type ProviderLogger, type ToolSpec } from '../providers/index.js'
import { LinkedList } from '../linked-list.js'
import { ActiveRun, type RunHandle, type RunOutlets } from './active-run.js'
import { buildAgentCatalog, type AgentCatalog, type AgentInfo } from './catalog.js'
import { BootstrapLoader } from './bootstrap.js'
import { SystemPrompts } from './system-prompt.js'
import { AgentError } from '../errors/agents.js'
import { KeyedQueue } from '../keyed-queue.js'
import { Semaphore } from './semaphore.js'
import { resolveModelChain, type ModelTarget } from './model-resolver.js'
import { ProviderPool } from './provider-pool.js'
import { executeRun } from './run.js'
import type { Listening, Publish } from './run-events.js'
import type { RunRequest, RunResult } from './types.js'

export interface EngineOptions {
  getConfig: () => GatewayConfig
  dirs: { stateDir: string, home: string }
  sessions: SessionStore
  tools: ToolRegistry
  getApiKey: (providerId: string) => string | undefined
  publish: Publish
  /** Defaults to always: tests without a bus still see every event. */
  listening?: Listening
  logger: ProviderLogger & { info: (obj: object, msg?: string) => void }
  now?: () => number
}

export type { RunHandle } from './active-run.js'

const FINISHED_TTL_MS = 10 * 60_000
const FINISHED_MAX = 1000

export class AgentEngine {
  private readonly opts: EngineOptions
  private readonly now: () => number
  private readonly lanes = new KeyedQueue()
  private readonly slots: Semaphore
  /** A list, not a Map by id: see linked-list.ts. Lookups by id are rare (WS methods) and the list is short. */
  private readonly active = new LinkedList<ActiveRun>()
  private readonly finished = new Map<string, FinishedRun>()
  /** Finished run ids in finish order; `finishedHead` is the oldest still kept. */
  private finishedOrder: string[] = []
  private finishedHead = 0
  private readonly bootstrap: BootstrapLoader
  private readonly systemPrompts = new SystemPrompts()
  /** The registry's tool lists (one per config snapshot and agent), each Preencoded once. */
  private readonly toolLists = new WeakMap<readonly ToolSpec[], Preencoded<readonly ToolSpec[]>>()
  readonly providers: ProviderPool
  private catalogCache: { config: GatewayConfig, catalog: AgentCatalog } | undefined
  private adapterCache: { config: GatewayConfig, get: (t: ModelTarget) => ProviderAdapter } | undefined
  private chainCache: { config: GatewayConfig, chains: Map<string, readonly ModelTarget[]> } | undefined
  private readonly outlets: RunOutlets
  private sweeper: NodeJS.Timeout | undefined

  constructor (opts: EngineOptions) {
    this.opts = opts
    this.now = opts.now ?? Date.now
    this.bootstrap = new BootstrapLoader(this.now)
    this.slots = new Semaphore(opts.getConfig().agents?.defaults?.maxConcurrent ?? 64)
    this.providers = new ProviderPool({ getApiKey: opts.getApiKey, logger: opts.logger })
    this.outlets = { publish: opts.publish, listening: opts.listening ?? always, logger: opts.logger, now: this.now }
  }

  catalog (): AgentCatalog {
    const config = this.opts.getConfig()
    if (this.catalogCache?.config !== config) this.catalogCache = { config, catalog: buildAgentCatalog(config, this.opts.dirs) }
    return this.catalogCache.catalog
  }

  /** Called after a config swap: adopt new limits and drop removed providers. */
  reconfigure (): void {
    const config = this.opts.getConfig()
    this.slots.setLimit(config.agents?.defaults?.maxConcurrent ?? 64)
    this.providers.prune(config)
  }

  resolveAgent (agentId: string | undefined): AgentInfo {
    const catalog = this.catalog()
    // The catalog holds only valid ids: whatever it finds is valid, whatever it does not is unknown.
    const agent = catalog.get(agentId ?? catalog.defaultId)
    if (agent === undefined) throw new AgentError('AGENT_UNKNOWN', `unknown agent id "${agentId ?? ''}"`, { details: { code: 'UNKNOWN_AGENT_ID' } })
    return agent
  }

  /** `agent:<id>:<rest>` from a full key, a bare rest (`main`, `thread-1`) or nothing (the main session). */
  resolveSessionKey (agent: AgentInfo, sessionKey: string | undefined): string {
    if (sessionKey === undefined || sessionKey === '') return `agent:${agent.id}:main`
    if (sessionKey.startsWith('agent:')) return sessionKey
    return `agent:${agent.id}:${sessionKey}`
  }

  /** The agent and full session key of a request: a full key names its agent, else `agentId`, else the default. */
  resolveTarget (agentId: string | undefined, sessionKey: string | undefined): { agent: AgentInfo, sessionKey: string } {
    const agent = this.resolveAgent(agentOfKey(sessionKey) ?? agentId)
    return { agent, sessionKey: this.resolveSessionKey(agent, sessionKey) }
  }

  /** Validates and admits a run; errors before admission are thrown synchronously to the caller. */
  start (req: RunRequest): RunHandle {
    const config = this.opts.getConfig()
    const { agent, sessionKey } = this.resolveTarget(req.agentId, req.sessionKey)
    if (req.input.length === 0 || req.input.every(isEmptyMessage)) throw new AgentError('MESSAGE_EMPTY', 'message must not be empty')
    const chain = this.chainFor(config, agent, req.modelOverride)
    // A caller-chosen id (an idempotency key) may name a run we already have.
    const runId = req.runId ?? randomUUID()
    const known = req.runId === undefined ? undefined : this.get(runId)
    if (known !== undefined) return known

    const run = new ActiveRun(runId, sessionKey, agent.id, this.now(), this.outlets, req.keepTurn !== undefined && req.persist !== false)
    this.active.add(run)
    // An ephemeral run owns a fresh session key: there is nothing to serialize against.
    run.done = req.persist === false
      ? this.execute(run, req, config, agent, chain)
      : this.lanes.run(sessionKey, () => this.execute(run, req, config, agent, chain))
    if (req.signal !== undefined) {
      const signal = req.signal
      const onCallerAbort = () => { run.cancel.abort(new AgentError('RUN_ABORTED', 'run aborted by the caller')) }
      signal.addEventListener('abort', onCallerAbort, { once: true })
      const off = () => { signal.removeEventListener('abort', onCallerAbort) }
      run.done.then(off, off)
    }
    return run
  }

  private async execute (run: ActiveRun, req: RunRequest, config: GatewayConfig, agent: AgentInfo, chain: readonly ModelTarget[]): Promise<RunResult> {
    const { runId, sessionKey, cancel } = run
    const release = this.slots.tryAcquire() ?? await this.slots.acquire(cancel).catch(() => undefined)
    const timeoutMs = req.timeoutMs ?? agent.timeoutSeconds * 1000
    // Long deadlines (the usual minutes) are checked by the engine's sweep, a
    // timer per run only for short ones: a timer made and cleared per request
    // is measurable on the hot path, and a deadline of minutes may be a second late.
    const timer = timeoutMs < SWEEP_MS * 5 ? setTimeout(() => { timeOut(run, timeoutMs) }, timeoutMs) : undefined
    if (timer === undefined) { run.deadline = this.now() + timeoutMs; run.timeoutMs = timeoutMs; this.sweeper ??= this.startSweeper() }
    let result: RunResult | undefined
    try {
      const ids = { runId, sessionKey, startedAt: this.now() }
      result = release === undefined
        ? cancelledBeforeStart(runId, sessionKey, agent.id, ids.startedAt, this.now())
        : await executeRun(req, {
          config,
          agent,
          chain,
          adapterFor: this.adapterFor(config),
          sessions: this.opts.sessions,
          tools: this.opts.tools,
          agentTools: this.agentTools(config, agent.id),
          bootstrap: this.bootstrap,
          systemPrompts: this.systemPrompts,
          now: this.now,
          maxSteps: config.agents?.defaults?.maxSteps ?? 24,
          historyLimit: 200,
          listening: this.outlets.listening
        }, ids, cancel, run.emit)
      run.result = result
      this.logRun(result)
      run.emit({ type: 'end', result })
      return result
    } finally {
      if (timer !== undefined) clearTimeout(timer)
      release?.()
      this.active.delete(run)
      // A finished run is kept for `agent.wait` only when someone can ask for
      // it: its caller was given the id, or its events (which carry the id)
      // went out to WS clients. Keeping every HTTP run's result would cost
      // each request a bookkeeping step and the GC an object to promote.
      if (result !== undefined && (run.published || ID_HANDED_OUT.has(req.source))) this.remember(result, run.acceptedAt)
    }
  }

  /** One timer for the deadlines of every long run (see execute). */
  private startSweeper (): NodeJS.Timeout {
    const sweeper = setInterval(() => {
      const now = this.now()
      for (const run of this.active.toArray()) if (run.deadline <= now) timeOut(run, run.timeoutMs)
    }, SWEEP_MS)
    sweeper.unref()
    return sweeper
  }

  /**
   * The model chain of an agent (or an override), resolved once per config
   * snapshot. Overrides come from callers, so the memo is bounded; failures
   * are not remembered (they throw every time, with their message).
   */
  private chainFor (config: GatewayConfig, agent: AgentInfo, override: string | undefined): readonly ModelTarget[] {
    if (this.chainCache?.config !== config || this.chainCache.chains.size >= 256) this.chainCache = { config, chains: new Map() }
    // Agent ids never hold a NUL: the two kinds of key cannot meet.
    const key = override === undefined ? agent.id : `${agent.id}\0${override}`
    let chain = this.chainCache.chains.get(key)
    if (chain === undefined) {
      chain = Object.freeze(resolveModelChain(config, agent.id, agent.model, override))
      this.chainCache.chains.set(key, chain)
    }
    return chain
  }

  private agentTools (config: GatewayConfig, agentId: string): Preencoded<readonly ToolSpec[]> {
    const list = this.opts.tools.specs(config, agentId)
    let tools = this.toolLists.get(list)
    if (tools === undefined) {
      tools = preencode(list)
      this.toolLists.set(list, tools)
    }
    return tools
  }

  /** One adapter lookup per config snapshot, shared by its runs. */
  private adapterFor (config: GatewayConfig): (t: ModelTarget) => ProviderAdapter {
    if (this.adapterCache?.config !== config) this.adapterCache = { config, get: (t) => this.providers.get(t.providerId, config) }
    return this.adapterCache.get
  }

  get (runId: string): RunHandle | undefined {
    const active = this.activeRun(runId)
    if (active !== undefined) return active
    const f = this.finished.get(runId)
    return f === undefined ? undefined : finishedHandle(f)
  }

  private activeRun (runId: string): ActiveRun | undefined {
    return this.active.find((run) => run.runId === runId)
  }

  activeRuns (sessionKey?: string): RunHandle[] {
    const all = this.active.toArray()
    return sessionKey === undefined ? all : all.filter((h) => h.sessionKey === sessionKey)
  }

  /** Aborts one run, or every active run of a session; returns the aborted run ids. */
  abort (target: { runId?: string, sessionKey?: string }): string[] {
    const handles = target.runId !== undefined
      ? [this.activeRun(target.runId)].filter((h): h is ActiveRun => h !== undefined && h.result === undefined && (target.sessionKey === undefined || h.sessionKey === target.sessionKey))
      : this.activeRuns(target.sessionKey)
    for (const h of handles) h.abort()
    return handles.map((h) => h.runId)
  }

  async close (): Promise<void> {
    if (this.sweeper !== undefined) clearInterval(this.sweeper)
    const runs = this.active.toArray()
    for (const h of runs) h.abort('gateway stopping')
    await Promise.allSettled(runs.map((h) => h.done))
    await this.providers.close()
  }

  private remember (result: RunResult, acceptedAt: number): void {
    // Finished runs stay queryable (agent.wait) for a while, bounded in count
    // and age. Only the result is kept, not the run's closures, so a thousand
    // finished runs cost the GC little. Expiry walks a queue of ids from its
    // head (a Map emptied from the front would make every walk skip holes).
    const at = this.now()
    this.finished.set(result.runId, { result, acceptedAt, at })
    this.finishedOrder.push(result.runId)
    const cutoff = at - FINISHED_TTL_MS
    const order = this.finishedOrder
    while (this.finishedHead < order.length) {
      const id = order[this.finishedHead]!
      const f = this.finished.get(id)!
      if (this.finished.size <= FINISHED_MAX && f.at > cutoff) break
      // An id is queued once: while queued it is known, so `start` never runs it again.
      this.finished.delete(id)
      this.finishedHead++
    }
    if (this.finishedHead > 4096) {
      this.finishedOrder = order.slice(this.finishedHead)
      this.finishedHead = 0
    }
  }

  private logRun (r: RunResult): void {
    const { logger } = this.opts
    // Most runs end well and the debug line is off: do not build its fields for nothing.
    if (r.status !== 'error' && logger.isLevelEnabled?.('debug') === false) return
    const fields = { runId: r.runId, sessionKey: r.sessionKey, agentId: r.agentId, status: r.status, provider: r.provider, model: r.model, durationMs: r.endedAt - r.startedAt }
    if (r.status === 'error') logger.warn({ ...fields, code: r.error?.code, err: r.error?.message }, 'agent run failed')
    else logger.debug(fields, 'agent run finished')
  }
}

const always = () => true

/** How often long-running deadlines are checked. */
const SWEEP_MS = 1000

function timeOut (run: ActiveRun, timeoutMs: number): void {
  run.cancel.abort(new AgentError('RUN_TIMEOUT', `run timed out after ${Math.round(timeoutMs / 1000)} s`))
}

/** `<id>` of `agent:<id>:<rest>`, without a regex match per run. */
function agentOfKey (sessionKey: string | undefined): string | undefined {
  if (sessionKey === undefined || !sessionKey.startsWith('agent:')) return undefined
  const end = sessionKey.indexOf(':', 6)
  return end > 6 ? sessionKey.slice(6, end) : undefined
}

/**
 * Sources whose callers work with the run id (WS methods wait on it, hooks and heartbeats report it). HTTP
 * completion ids carry it too, but no HTTP route looks a run up: those runs are kept only when published.
 */
const ID_HANDED_OUT: ReadonlySet<RunRequest['source']> = new Set(['agent', 'chat', 'hook', 'heartbeat'])

interface FinishedRun { result: RunResult, acceptedAt: number, at: number }

/** A read-only handle for a run that has ended. */
function finishedHandle (f: FinishedRun): RunHandle {
  const r = f.result
  return {
    runId: r.runId,
    sessionKey: r.sessionKey,
    agentId: r.agentId,
    acceptedAt: f.acceptedAt,
    done: Promise.resolve(r),
    result: r,
    abort: () => {},
    listen: () => () => false
  }
}

function isEmptyMessage (m: RunRequest['input'][number]): boolean {
  if (m.role === 'tool') return false
  if (typeof m.content === 'string') return m.content.trim() === ''
  if (m.role === 'user') return m.content.length === 0
  return false
}

function cancelledBeforeStart (runId: string, sessionKey: string, agentId: string, startedAt: number, endedAt: number): RunResult {
  return { runId, sessionKey, agentId, status: 'aborted', text: '', toolCalls: [], stopReason: 'aborted', usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 }, startedAt, endedAt, error: new AgentError('RUN_ABORTED', 'run aborted before it started') }
}
