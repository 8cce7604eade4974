// Public surface of the providers module. Core code needs only createProvider and the types.

import { createAdapter } from './adapter.js'
import { ProviderConfigError } from '../errors/providers.js'
import { API_SPECS, isSupportedApi } from './registry.js'
import type { ProviderAdapter, ProviderConfig, ProviderDeps } from './types.js'

export function createProvider (id: string, config: ProviderConfig, deps: ProviderDeps): ProviderAdapter {
  if (!isSupportedApi(config.api)) {
    throw new ProviderConfigError(`provider "${id}" has unsupported api "${String(config.api)}"`)
  }
  return createAdapter(id, config, deps, API_SPECS[config.api])
}

export { ProviderConfigError, ProviderError, isProviderError } from '../errors/providers.js'
export type { ProviderErrorCode, ProviderErrorKind } from '../errors/providers.js'
export { SUPPORTED_APIS, isSupportedApi } from './registry.js'
export { Preencoded, plainValue, preencode } from './preencoded.js'
export type * from './types.js'
