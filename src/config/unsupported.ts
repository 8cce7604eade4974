// Config keys the schema accepts (OpenClaw writes them, so a shared file must
// validate) but nothing in this gateway reads yet. Setting one earns a warning.
import { valueAt } from './write-plan.js'

/** Dotted paths accepted without effect; each entry goes away when the issue implementing it lands. */
export const UNSUPPORTED_CONFIG_PATHS: readonly string[] = [
  'hooks.gmail',
  'hooks.internal',
  'channels',
  'env.vars',
  'logging.redactSensitive',
  'gateway.publicOrigin',
  'gateway.remote'
]

/** One `<path> is not supported yet and has no effect` line per unsupported path that is set (an empty object is not). */
export function unsupportedWarnings (config: unknown): string[] {
  return UNSUPPORTED_CONFIG_PATHS
    .filter((p) => isSet(valueAt(config, p.split('.'))))
    .map((p) => `${p} is not supported yet and has no effect`)
}

function isSet (v: unknown): boolean {
  if (v === undefined) return false
  return typeof v !== 'object' || v === null || Object.keys(v).length > 0
}
