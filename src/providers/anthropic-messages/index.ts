import type { ApiSpec } from '../adapter.js'
import { createMessagesDecoder } from './decoder.js'
import { buildMessagesBody, messagesSystem, messagesTools } from './request.js'
import { decodeMessagesJson } from './response.js'

export const ANTHROPIC_VERSION = '2023-06-01'

/** Anthropic Messages: POST {baseUrl}/v1/messages, baseUrl like https://api.anthropic.com. */
export const anthropicMessagesSpec: ApiSpec = {
  api: 'anthropic-messages',
  defaultHeaders: { 'anthropic-version': ANTHROPIC_VERSION },
  authHeaders: (apiKey) => ({ 'x-api-key': apiKey }),
  // Accept a baseUrl that already ends in /v1, as OpenAI-style configs often do.
  streamPath: (basePath) => (basePath.endsWith('/v1') ? `${basePath}/messages` : `${basePath}/v1/messages`),
  systemPart: messagesSystem,
  toolsPart: messagesTools,
  buildBody: buildMessagesBody,
  createDecoder: createMessagesDecoder,
  decodeResponse: decodeMessagesJson
}
