// api → ApiSpec. Adding a wire API means adding a spec here; nothing else branches on it.

import type { ApiSpec } from './adapter.js'
import { anthropicMessagesSpec } from './anthropic-messages/index.js'
import { openAiCompletionsSpec } from './openai-completions/index.js'
import { openAiResponsesSpec } from './openai-responses/index.js'
import type { ProviderApi } from './types.js'

export const API_SPECS: Readonly<Record<ProviderApi, ApiSpec>> = Object.freeze({
  'openai-completions': openAiCompletionsSpec,
  'openai-responses': openAiResponsesSpec,
  'anthropic-messages': anthropicMessagesSpec
})

export const SUPPORTED_APIS = Object.freeze(Object.keys(API_SPECS) as ProviderApi[])

export function isSupportedApi (api: string): api is ProviderApi {
  return Object.hasOwn(API_SPECS, api)
}
