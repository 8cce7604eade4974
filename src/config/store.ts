// The running configuration: an immutable snapshot behind a getter. Reload
// swaps the whole snapshot; readers never see a half-applied config. The
// store also keeps what went wrong since the last good load (health shows it).
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

export interface Problem { readonly message: string, readonly at: number }

/** Degraded state since the last good load; `undefined` fields mean healthy. */
export interface ConfigProblems {
  /** The last config load that failed (invalid edit, missing file, unresolved secret). */
  readonly reload?: Problem
  /** The last secret resolution that failed; the previous values stay in use. */
  readonly secrets?: Problem
}

export class ConfigStore extends EventEmitter<{ change: [ConfigChange], problems: [ConfigProblems] }> {
  #current: RuntimeConfig
  #problems: ConfigProblems = {}

  constructor (initial: RuntimeConfig) {
    super()
    this.#current = initial
  }

  get current (): RuntimeConfig { return this.#current }
  get config (): Readonly<GatewayConfig> { return this.#current.snapshot.config }
  get problems (): ConfigProblems { return this.#problems }

  swap (next: RuntimeConfig, changedPaths: readonly string[]): void {
    const previous = this.#current
    this.#current = next
    this.emit('change', { previous, next, changedPaths })
  }

  /** Records a failed load (and, for a secret failure, degraded secrets). */
  reportProblem (kind: 'reload' | 'secrets', problem: Problem): void {
    this.#setProblems({ ...this.#problems, [kind]: problem })
  }

  /** A good load clears what earlier failures left (`secrets` only when secrets resolved too). */
  clearProblems (kinds: ReadonlyArray<keyof ConfigProblems> = ['reload', 'secrets']): void {
    if (kinds.every((k) => this.#problems[k] === undefined)) return
    const next: { -readonly [K in keyof ConfigProblems]: ConfigProblems[K] } = { ...this.#problems }
    for (const k of kinds) delete next[k]
    this.#setProblems(next)
  }

  #setProblems (problems: ConfigProblems): void {
    this.#problems = Object.freeze(problems)
    this.emit('problems', this.#problems)
  }
}
