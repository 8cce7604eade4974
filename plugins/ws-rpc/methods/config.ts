// The config.* WS methods (contract 2.2): read the file redacted, describe
// the schema, and write it back (whole, or as a merge patch) behind a base
// hash, then reload: live when every changed path allows it, else a restart.
import { readFile } from 'node:fs/promises'
import type { FastifyInstance } from 'fastify'
import { hashText, parseConfigText, parseJson5 } from '../../../src/config/load.js'
import { buildSchemaDoc, lookupSchema, type SchemaDoc } from '../../../src/config/schema-doc.js'
import { redactConfig, redactRaw } from '../../../src/config/redact.js'
import { ConfigError, RpcError } from '../../../src/errors/index.js'
import { SCOPE_ADMIN, SCOPE_READ } from '../../../src/rpc/scopes.js'
import type { RpcContext } from '../../../src/rpc/types.js'
import { WriteBudget, type WriteBudgetSettings } from '../../../src/rpc/write-budget.js'
import { EmptyParams } from '../../../schemas/rpc/core.js'
import { ConfigApplyParams, ConfigPatchParams, ConfigSchemaLookupParams, ConfigSetParams } from '../../../schemas/rpc/config.js'
import { prepareWrite, type DiskFile, type WriteKind, type WriteRequest } from '../../../src/config/write-plan.js'
import { writeConfigAtomic } from '../../../src/config/write.js'
import type { ReloadOutcome } from '../../reload.js'

export interface ConfigRpcOptions {
  /** Control-plane write budget per method and client (contract: 30 per 60 s). */
  writeLimit?: WriteBudgetSettings
}

/** Largest `raw` a write accepts. */
export const MAX_RAW_BYTES = 1024 * 1024

/** Registered by the reload plugin: writes reload through it. */
export function registerConfigMethods (app: FastifyInstance, opts: ConfigRpcOptions): void {
  const { rpc, configStore: store, gateway } = app
  const file = gateway.paths.configPath
  const log = app.log.child({ subsystem: 'config-rpc' })
  const budget = new WriteBudget(opts.writeLimit ?? { max: 30, windowMs: 60_000 }, gateway.now)
  let doc: SchemaDoc | undefined
  const schemaDoc = () => (doc ??= buildSchemaDoc())
  // Writes run one at a time, each re-reading the file: of two writes on one base hash, the second sees the first's file.
  let writes: Promise<unknown> = Promise.resolve()

  const readDisk = async (): Promise<DiskFile> => {
    try {
      const raw = await readFile(file, 'utf8')
      return { exists: true, raw, hash: hashText(raw) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, raw: null, hash: hashText('') }
      throw new RpcError('UNAVAILABLE', `cannot read config file (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    }
  }

  rpc.advertiseEvents('config.changed')

  rpc.register('config.get', {
    scope: SCOPE_READ,
    params: EmptyParams,
    handler: async () => {
      const disk = await readDisk()
      const running = redactConfig(store.config).value
      const base = {
        path: file,
        exists: disk.exists,
        hash: disk.hash,
        configRevisionHash: disk.exists ? disk.hash : null,
        appliedConfigHash: store.current.snapshot.hash,
        runtimeConfig: running,
        legacyIssues: []
      }
      const withheld = { raw: null, parsed: null, resolved: {}, sourceConfig: {}, config: {} }
      if (disk.raw === null) return { ...base, ...withheld, valid: true, issues: [], warnings: [] }
      try {
        const snapshot = parseConfigText(file, disk.raw, gateway.env)
        const authored = redactConfig(parseJson5(file, disk.raw))
        const resolved = redactConfig(snapshot.config).value
        return {
          ...base,
          valid: true,
          raw: redactRaw(disk.raw, authored.value, authored.hidden),
          parsed: authored.value,
          resolved,
          sourceConfig: resolved,
          config: resolved,
          issues: [],
          warnings: snapshot.warnings.map(splitWarning)
        }
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err
        // An invalid file cannot be redacted reliably: its contents are withheld, its problems are not.
        return { ...base, ...withheld, valid: false, issues: err.issues, warnings: [] }
      }
    }
  })

  rpc.register('config.schema', {
    scope: SCOPE_READ,
    params: EmptyParams,
    handler: async () => ({ ...schemaDoc(), version: gateway.version, generatedAt: new Date(gateway.startedAt).toISOString() })
  })

  rpc.register('config.schema.lookup', {
    scope: SCOPE_READ,
    params: ConfigSchemaLookupParams,
    handler: async (params) => {
      const found = lookupSchema(schemaDoc(), params.path)
      if (found === undefined) throw new RpcError('INVALID_REQUEST', 'config schema path not found', { details: { path: params.path } })
      return found
    }
  })

  const write = (method: string, kind: WriteKind, req: WriteRequest, ctx: RpcContext, restartDelayMs = 0) => {
    const key = `${method}|${ctx.deviceId ?? ctx.connId}|${ctx.ip}`
    const spent = budget.consume(key)
    if (!spent.allowed) {
      log.warn({ method, connId: ctx.connId, deviceId: ctx.deviceId, ip: ctx.ip, retryAfterMs: spent.retryAfterMs }, `control-plane write rate-limited method=${method}`)
      throw new RpcError('UNAVAILABLE', `rate limit exceeded for ${method}; retry after ${Math.ceil(spent.retryAfterMs / 1000)}s`, {
        retryable: true,
        retryAfterMs: spent.retryAfterMs,
        details: { method, limit: `${budget.settings.max} per ${Math.round(budget.settings.windowMs / 1000)}s` }
      })
    }
    const bytes = Buffer.byteLength(req.raw)
    if (bytes > MAX_RAW_BYTES) {
      throw new RpcError('INVALID_REQUEST', `config raw is too large (${bytes} bytes; the limit is ${MAX_RAW_BYTES})`, { details: { bytes, limit: MAX_RAW_BYTES } })
    }
    const run = writes.then(async () => {
      const disk = await readDisk()
      const plan = prepareWrite(kind, req, disk, { file, env: gateway.env })
      if (plan.noop) {
        return { ok: true, noop: true, path: file, hash: disk.hash, changedPaths: [], config: redactConfig(plan.config).value, reload: reloadReply(undefined), restart: null }
      }
      await writeConfigAtomic(file, plan.text)
      const hash = hashText(plan.text)
      log.info({ method, paths: plan.changedPaths, connId: ctx.connId }, `config written by ${method} (${plan.changedPaths.join(', ')})`)
      const reload = reloadReply(await app.configReload.reloadNow('rpc', { restartDelayMs }))
      app.events.publish('config.changed', { hash, changedPaths: plan.changedPaths, method, reload: reload.applied }, { scope: SCOPE_READ })
      const restart = reload.applied === 'restart' ? { reason: 'config change', paths: reload.restartPaths, delayMs: restartDelayMs } : null
      return { ok: true, path: file, hash, changedPaths: plan.changedPaths, config: redactConfig(plan.config).value, reload, restart }
    })
    writes = run.catch(() => {})
    return run
  }

  // A write in flight finishes (file and reload) before the gateway lets go of its state dir.
  app.addHook('onClose', async () => { await writes })

  rpc.register('config.set', {
    scope: SCOPE_ADMIN,
    params: ConfigSetParams,
    handler: async (params, ctx) => await write('config.set', 'set', params, ctx)
  })
  rpc.register('config.apply', {
    scope: SCOPE_ADMIN,
    params: ConfigApplyParams,
    handler: async (params, ctx) => withSentinel('config-apply', params, await write('config.apply', 'set', params, ctx, params.restartDelayMs), gateway.now())
  })
  rpc.register('config.patch', {
    scope: SCOPE_ADMIN,
    params: ConfigPatchParams,
    handler: async (params, ctx) => withSentinel('config-patch', params, await write('config.patch', 'patch', params, ctx, params.restartDelayMs), gateway.now())
  })
}

export type ReloadApplied = 'live' | 'restart' | 'pending-restart' | 'none' | 'failed'

export interface ReloadReply { applied: ReloadApplied, hotPaths: string[], restartPaths: string[], error?: string }

const APPLIED: Readonly<Record<ReloadOutcome['result'], ReloadApplied>> = {
  applied: 'live', restarting: 'restart', 'not-applied': 'pending-restart', unchanged: 'none', failed: 'failed'
}

/** What the reload did, in the words the reply uses (`pending-restart`: applied live except paths left for a restart). */
function reloadReply (o: ReloadOutcome | undefined): ReloadReply {
  if (o === undefined) return { applied: 'none', hotPaths: [], restartPaths: [] }
  const applied = o.result === 'applied' && o.restartPaths.length > 0 ? 'pending-restart' : APPLIED[o.result]
  const out: ReloadReply = { applied, hotPaths: o.hotPaths, restartPaths: o.restartPaths }
  if (o.error !== undefined) out.error = o.error
  return out
}

/**
 * OpenClaw's restart sentinel tells a session the gateway came back; we
 * restart in process and persist none, but echo what the caller sent.
 */
function withSentinel (kind: string, params: { sessionKey?: string, note?: string, deliveryContext?: unknown }, reply: Record<string, unknown>, ts: number) {
  if (reply.noop === true) return reply
  const payload: Record<string, unknown> = { kind, status: 'ok', ts }
  if (params.sessionKey !== undefined) payload.sessionKey = params.sessionKey
  if (params.deliveryContext !== undefined) payload.deliveryContext = params.deliveryContext
  if (params.note !== undefined) payload.message = params.note
  return { ...reply, sentinel: { persisted: false, payload } }
}

/** Loader warnings read `<path>: <message>` or `<path> is not supported yet…`; clients get them shaped like issues. */
function splitWarning (w: string): { path?: string, message: string } {
  const unsupported = /^(\S+) is not supported yet/.exec(w)
  if (unsupported !== null) return { path: unsupported[1]!, message: w }
  const at = w.indexOf(': ')
  return at > 0 ? { path: w.slice(0, at), message: w.slice(at + 2) } : { message: w }
}
