// Human lines for the `health` and `status` payloads. Payloads come off the
// wire, so every field is checked before use; unknown extras are skipped.
import type { HealthSnapshot } from '../../../schemas/frames.js'
import { formatDuration } from './output.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const num = (v: unknown): number | undefined => typeof v === 'number' && Number.isFinite(v) ? v : undefined
const str = (v: unknown): string | undefined => typeof v === 'string' ? v : undefined

export function healthLines (payload: unknown): string[] {
  if (!isObj(payload)) return ['Health: (no data)']
  const h = payload as Partial<HealthSnapshot> & Obj
  const lines: string[] = []
  const took = num(h.durationMs)
  lines.push(`Health: ${h.ok === true ? 'ok' : 'not ok'}${took === undefined ? '' : ` (built in ${formatDuration(took)})`}`)
  const loop = h.eventLoop
  if (isObj(loop)) {
    const p99 = num(loop.delayP99Ms)
    const util = num(loop.utilization)
    const figures = [p99 === undefined ? undefined : `p99 delay ${p99.toFixed(1)}ms`, util === undefined ? undefined : `utilization ${Math.round(util * 100)}%`]
      .filter((f) => f !== undefined).join(', ')
    const reasons = Array.isArray(loop.reasons) ? loop.reasons.join(', ') : ''
    lines.push(`Event loop: ${loop.degraded === true ? `degraded (${reasons})` : 'ok'}${figures === '' ? '' : ` — ${figures}`}`)
  }
  if (Array.isArray(h.agents) && h.agents.length > 0) {
    const agents = h.agents.filter(isObj).map((a) => {
      const count = isObj(a.sessions) ? num(a.sessions.count) : undefined
      return `${str(a.agentId) ?? '?'}${a.isDefault === true ? ' (default)' : ''}${count === undefined ? '' : ` ${count} session${count === 1 ? '' : 's'}`}`
    })
    lines.push(`Agents: ${agents.join(', ')}`)
  } else if (str(h.defaultAgentId) !== undefined) {
    lines.push(`Default agent: ${h.defaultAgentId}`)
  }
  if (isObj(h.sessions)) {
    const count = num(h.sessions.count)
    if (count !== undefined) lines.push(`Sessions: ${count}${str(h.sessions.path) === undefined ? '' : ` (${h.sessions.path})`}`)
  }
  lines.push(`Channels: ${channelNames(h).join(', ') || 'none'}`)
  if (isObj(h.configReload) && str(h.configReload.hotReloadStatus) !== undefined) lines.push(`Config reload: ${h.configReload.hotReloadStatus}`)
  lines.push(...degradedLines(h))
  if (isObj(h.plugins)) {
    const loaded = Array.isArray(h.plugins.loaded) ? h.plugins.loaded.length : 0
    const errors = Array.isArray(h.plugins.errors) ? h.plugins.errors.length : 0
    lines.push(`Plugins: ${loaded} loaded${errors > 0 ? `, ${errors} failed` : ''}`)
  }
  return lines
}

/** What the last failed config load or secret resolution left (health's configReload.lastError, secrets). */
export function degradedLines (health: unknown): string[] {
  if (!isObj(health)) return []
  const lines: string[] = []
  const since = (at: unknown) => num(at) === undefined ? '' : ` (since ${new Date(num(at)!).toISOString()})`
  if (isObj(health.configReload) && str(health.configReload.lastError) !== undefined) {
    lines.push(`Config: last edit not applied${since(health.configReload.lastErrorAt)} — ${String(health.configReload.lastError)}`)
  }
  if (isObj(health.secrets) && health.secrets.status === 'degraded') {
    lines.push(`Secrets: degraded, last good values in use${since(health.secrets.lastErrorAt)} — ${str(health.secrets.lastError) ?? 'unknown error'}`)
  }
  return lines
}

export function channelNames (health: Obj): string[] {
  if (Array.isArray(health.channelOrder) && health.channelOrder.length > 0) return health.channelOrder.filter((c): c is string => typeof c === 'string')
  return isObj(health.channels) ? Object.keys(health.channels) : []
}

export function statusLines (payload: unknown): string[] {
  if (!isObj(payload)) return ['Status: (no data)']
  const lines: string[] = []
  const gw = payload.gateway
  if (isObj(gw)) {
    const uptime = num(gw.uptimeMs)
    const where = str(gw.host) !== undefined && num(gw.port) !== undefined ? ` on ${String(gw.host)}:${String(gw.port)}` : ''
    lines.push(`Server: ${str(gw.version) ?? '?'}${where}${uptime === undefined ? '' : `, up ${formatDuration(uptime)}`}`)
    const detail = [str(gw.bind) === undefined ? undefined : `bind ${String(gw.bind)}`, str(gw.authMode) === undefined ? undefined : `auth ${String(gw.authMode)}`]
      .filter((d) => d !== undefined)
    if (detail.length > 0) lines.push(`Mode: ${detail.join(', ')}`)
  }
  if (isObj(payload.connections) && num(payload.connections.count) !== undefined) lines.push(`Connections: ${String(payload.connections.count)}`)
  // Extenders (sessions, agents, channels…) add keys; show their scalar facts briefly.
  for (const [key, value] of Object.entries(payload)) {
    if (key === 'gateway' || key === 'connections') continue
    const line = briefly(value)
    if (line !== undefined) lines.push(`${capitalise(key)}: ${line}`)
  }
  return lines
}

function briefly (value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `${value.length} item${value.length === 1 ? '' : 's'}`
  if (!isObj(value)) return undefined
  if (num(value.count) !== undefined) return String(value.count)
  const scalars = Object.entries(value).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)).slice(0, 4)
  return scalars.length === 0 ? `${Object.keys(value).length} entries` : scalars.map(([k, v]) => `${k} ${String(v)}`).join(', ')
}

function capitalise (s: string): string { return s.charAt(0).toUpperCase() + s.slice(1) }
