// The running configuration: an immutable snapshot behind a getter. Reload
// swaps the whole snapshot; readers never see a half-applied config.
import { EventEmitter } from 'node:events'
import type { GatewayConfig } from '../../schemas/config.js'
import type { ConfigSnapshot } from './load.js'
import type { SecretsSnapshot } from './secrets.js'
import type { AuthSettings } from './settings.js'

export interface RuntimeConfig {
  readonly snapshot: ConfigSnapshot
  readonly secrets: SecretsSnapshot
  readonly auth: AuthSettings
}

export interface ConfigChange {
  readonly previous: RuntimeConfig
  readonly next: RuntimeConfig
  /** Dotted leaf paths that differ (empty for a secrets-only swap). */
  readonly changedPaths: readonly string[]
}

export class ConfigStore extends EventEmitter<{ change: [ConfigChange] }> {
  #current: RuntimeConfig

  constructor (initial: RuntimeConfig) {
    super()
    this.#current = initial
  }

  get current (): RuntimeConfig { return this.#current }
  get config (): Readonly<GatewayConfig> { return this.#current.snapshot.config }

  swap (next: RuntimeConfig, changedPaths: readonly string[]): void {
    const previous = this.#current
    this.#current = next
    this.emit('change', { previous, next, changedPaths })
  }
}
