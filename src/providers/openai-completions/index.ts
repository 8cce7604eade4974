import type { ApiSpec } from '../adapter.js'
import { openAiEmbeddings } from '../openai-embeddings.js'
import { createCompletionsDecoder } from './decoder.js'
import { buildCompletionsBody, completionsSystem, completionsTools } from './request.js'
import { decodeCompletionsJson } from './response.js'

/** OpenAI Chat Completions: POST {baseUrl}/chat/completions, baseUrl already ends in /v1. */
export const openAiCompletionsSpec: ApiSpec = {
  api: 'openai-completions',
  defaultHeaders: {},
  authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
  streamPath: (basePath) => `${basePath}/chat/completions`,
  systemPart: completionsSystem,
  toolsPart: completionsTools,
  buildBody: buildCompletionsBody,
  createDecoder: createCompletionsDecoder,
  decodeResponse: decodeCompletionsJson,
  embeddings: openAiEmbeddings
}
