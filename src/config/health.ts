// The config part of the health snapshot: whether edits are watched, and what
// the last failed load or secret resolution left behind (until a good one).
import type { HealthSnapshot } from '../../schemas/frames.js'
import type { ConfigStore } from './store.js'

export function configHealth (store: ConfigStore): Pick<HealthSnapshot, 'configReload' | 'secrets'> {
  const { reload, secrets } = store.problems
  return {
    configReload: {
      hotReloadStatus: store.config.gateway?.reload?.mode === 'off' ? 'disabled' : 'active',
      ...(reload === undefined ? {} : { lastError: reload.message, lastErrorAt: reload.at })
    },
    secrets: secrets === undefined ? { status: 'ok' } : { status: 'degraded', lastError: secrets.message, lastErrorAt: secrets.at }
  }
}
