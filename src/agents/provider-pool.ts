// One adapter (with its keep-alive pool) per configured provider. A config
// change rebuilds only the providers whose settings changed.
import { isDeepStrictEqual } from 'node:util'
import type { GatewayConfig } from '../../schemas/config.js'
import { createProvider, type ProviderAdapter, type ProviderConfig, type ProviderLogger } from '../providers/index.js'
import { AgentError } from '../errors/agents.js'

type ProviderSettings = NonNullable<NonNullable<GatewayConfig['models']>['providers']>[string]

interface Entry { settings: ProviderSettings, adapter: ProviderAdapter }

export class ProviderPool {
  private readonly entries = new Map<string, Entry>()
  private readonly getApiKey: (providerId: string) => string | undefined
  private readonly logger: ProviderLogger | undefined

  constructor (opts: { getApiKey: (providerId: string) => string | undefined, logger?: ProviderLogger }) {
    this.getApiKey = opts.getApiKey
    this.logger = opts.logger
  }

  get (providerId: string, config: GatewayConfig): ProviderAdapter {
    const settings = config.models?.providers?.[providerId]
    if (settings === undefined) throw new AgentError('MODEL_UNKNOWN', `unknown model provider "${providerId}" (configure models.providers.${providerId})`)
    const existing = this.entries.get(providerId)
    if (existing !== undefined && (existing.settings === settings || isDeepStrictEqual(existing.settings, settings))) return existing.adapter
    if (existing !== undefined) void existing.adapter.close()
    const providerConfig: ProviderConfig = { baseUrl: settings.baseUrl, api: settings.api }
    if (settings.headers !== undefined) providerConfig.headers = { ...settings.headers }
    if (settings.models !== undefined) providerConfig.models = settings.models.map((m) => ({ ...m, ...(m.input !== undefined ? { input: [...m.input] } : {}) }))
    const adapter = createProvider(providerId, providerConfig, {
      getApiKey: () => this.getApiKey(providerId),
      ...(this.logger !== undefined ? { logger: this.logger } : {})
    })
    this.entries.set(providerId, { settings, adapter })
    return adapter
  }

  /** Drops adapters of providers that are gone from the config. */
  prune (config: GatewayConfig): void {
    for (const [id, entry] of this.entries) {
      if (config.models?.providers?.[id] === undefined) {
        this.entries.delete(id)
        void entry.adapter.close()
      }
    }
  }

  async close (): Promise<void> {
    const all = [...this.entries.values()]
    this.entries.clear()
    await Promise.allSettled(all.map((e) => e.adapter.close()))
  }
}
