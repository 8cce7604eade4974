// Config keys the schema accepts (OpenClaw writes them, so a shared file must
// validate) but nothing in this gateway reads yet. Setting one earns a warning.
import { valueAt } from './write-plan.js'

/** Dotted paths accepted without effect; each entry goes away when the issue implementing it lands. */
export const UNSUPPORTED_CONFIG_PATHS: readonly string[] = [
  'hooks.gmail',
  'hooks.internal',
  'env.vars',
  'logging.redactSensitive',
  'gateway.publicOrigin',
  'gateway.remote'
]

/** Channels this gateway runs (docs/channels.md); any other `channels.<id>` has no effect. */
export const SUPPORTED_CHANNELS: readonly string[] = ['telegram']

/** One `<path> is not supported yet and has no effect` line per unsupported path that is set (an empty object is not). */
export function unsupportedWarnings (config: unknown): string[] {
  const channels = valueAt(config, ['channels'])
  const otherChannels = typeof channels === 'object' && channels !== null
    ? Object.keys(channels).filter((id) => !SUPPORTED_CHANNELS.includes(id) && isSet((channels as Record<string, unknown>)[id])).map((id) => `channels.${id}`)
    : []
  return [...UNSUPPORTED_CONFIG_PATHS, ...otherChannels]
    .filter((p) => isSet(valueAt(config, p.split('.'))))
    .map((p) => `${p} is not supported yet and has no effect`)
}

function isSet (v: unknown): boolean {
  if (v === undefined) return false
  return typeof v !== 'object' || v === null || Object.keys(v).length > 0
}
