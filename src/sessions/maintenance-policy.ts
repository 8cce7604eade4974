/**
 * `session.maintenance` as numbers. OpenClaw's defaults (30 days, 5000
 * sessions, 10 GB per agent) apply to a manual cleanup; the background pass
 * runs only when the key is set, so nobody's history goes without asking.
 */
import type { GatewayConfig } from '../../schemas/config.js'
import type { MaintenancePolicy } from './types.js'

type MaintenanceConfig = NonNullable<NonNullable<GatewayConfig['session']>['maintenance']>

export interface ResolvedMaintenance {
  mode: 'enforce' | 'warn'
  /** True when the config sets `session.maintenance` (the background pass runs). */
  configured: boolean
  policy: MaintenancePolicy
}

const DAY_MS = 86_400_000
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS }
const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 }
const DEFAULTS = { pruneAfter: '30d', maxEntries: 5_000, maxDiskBytes: '10gb' } as const

export function resolveMaintenance (config: Readonly<GatewayConfig>): ResolvedMaintenance {
  const m: MaintenanceConfig = config.session?.maintenance ?? {}
  const pruneAfter = m.pruneAfter ?? DEFAULTS.pruneAfter
  const maxEntries = m.maxEntries ?? DEFAULTS.maxEntries
  const maxDisk = bytes(m.maxDiskBytes ?? DEFAULTS.maxDiskBytes)
  const policy: MaintenancePolicy = {}
  if (pruneAfter !== false) policy.pruneAfterMs = duration(pruneAfter)
  if (maxEntries !== false) policy.maxEntries = maxEntries
  if (maxDisk !== undefined && maxDisk > 0) {
    policy.maxDiskBytes = maxDisk
    // Zero (or unset) falls back to the default share; above the budget it would never stop short of it.
    const high = m.highWaterBytes === undefined ? undefined : bytes(m.highWaterBytes)
    if (high !== undefined && high > 0) policy.highWaterBytes = Math.min(high, maxDisk)
  }
  return { mode: m.mode ?? 'enforce', configured: config.session?.maintenance !== undefined, policy }
}

function duration (text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/.exec(text.trim())
  return m === null ? 30 * DAY_MS : Math.round(Number(m[1]) * UNIT_MS[m[2]!]!)
}

function bytes (value: number | string | false): number | undefined {
  if (value === false) return undefined
  if (typeof value === 'number') return value
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?b)?$/i.exec(value.trim())
  return m === null ? undefined : Math.round(Number(m[1]) * UNIT_BYTES[(m[2] ?? 'b').toLowerCase()]!)
}
