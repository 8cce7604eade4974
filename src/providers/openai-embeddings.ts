// POST {baseUrl}/embeddings, shared by both OpenAI-flavoured APIs.

import type { EmbeddingsSpec } from './adapter.js'
import { invalidResponse } from './classify.js'
import type { EmbedResult } from './types.js'

type Obj = Record<string, unknown>

export const openAiEmbeddings: EmbeddingsSpec = {
  path: (basePath) => `${basePath}/embeddings`,
  buildBody (req) {
    const body: Obj = { model: req.model, input: req.input, encoding_format: 'float' }
    if (req.dimensions !== undefined) body.dimensions = req.dimensions
    return body
  },
  parse (json, ctx): EmbedResult {
    const root = (typeof json === 'object' && json !== null ? json : {}) as Obj
    if (!Array.isArray(root.data)) throw invalidResponse(ctx, 'embeddings response has no data array')
    const rows = root.data.map((row, position) => {
      const item = (row ?? {}) as Obj
      const vector = item.embedding
      if (!Array.isArray(vector) || !vector.every((x) => typeof x === 'number')) {
        throw invalidResponse(ctx, 'embedding is not an array of numbers (base64 encoding is not supported)')
      }
      return { index: typeof item.index === 'number' ? item.index : position, vector: vector as number[] }
    })
    // The API does not promise order; `index` refers to the position in the request.
    rows.sort((a, b) => a.index - b.index)
    const usage = (root.usage ?? {}) as Obj
    const promptTokens = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0
    const totalTokens = typeof usage.total_tokens === 'number' ? usage.total_tokens : promptTokens
    return { embeddings: rows.map((r) => r.vector), usage: { promptTokens, totalTokens } }
  }
}
