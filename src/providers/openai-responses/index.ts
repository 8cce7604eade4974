import type { ApiSpec } from '../adapter.js'
import { openAiEmbeddings } from '../openai-embeddings.js'
import { createResponsesDecoder } from './decoder.js'
import { buildResponsesBody, responsesSystem, responsesTools } from './request.js'
import { decodeResponsesJson } from './response.js'

/** OpenAI Responses API: POST {baseUrl}/responses, baseUrl already ends in /v1. */
export const openAiResponsesSpec: ApiSpec = {
  api: 'openai-responses',
  defaultHeaders: {},
  authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
  streamPath: (basePath) => `${basePath}/responses`,
  systemPart: responsesSystem,
  toolsPart: responsesTools,
  buildBody: buildResponsesBody,
  createDecoder: createResponsesDecoder,
  decodeResponse: decodeResponsesJson,
  embeddings: openAiEmbeddings
}
