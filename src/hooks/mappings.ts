// `hooks.mappings`: ordered, the first whose `match` fits a delivery wins.
import type { HooksConfig } from './policy.js'

export type HookMapping = NonNullable<HooksConfig['mappings']>[number]

/**
 * `match.path` is the part after the hooks base path (`github` for
 * `/hooks/github`); `match.source` equals the payload's `source` field. A
 * mapping without `match` fits every delivery (a catch-all at the end).
 */
export function findMapping (mappings: readonly HookMapping[] | undefined, subPath: string, payload: unknown): { mapping: HookMapping, index: number } | undefined {
  const source = typeof payload === 'object' && payload !== null && typeof (payload as { source?: unknown }).source === 'string'
    ? (payload as { source: string }).source
    : undefined
  const index = (mappings ?? []).findIndex((m) => {
    const want = m.match?.path?.replace(/^\/+|\/+$/g, '')
    if (want !== undefined && want !== subPath) return false
    if (m.match?.source !== undefined && m.match.source !== source) return false
    return true
  })
  return index === -1 ? undefined : { mapping: mappings![index]!, index }
}

export function mappingName (m: HookMapping, index: number): string {
  return m.id ?? m.match?.path ?? `mapping-${index}`
}
