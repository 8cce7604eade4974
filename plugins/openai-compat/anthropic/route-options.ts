// What both Anthropic routes share: `x-api-key` accepted as the gateway
// token (checked by the same bearer verifier), the write scope, the
// `messages` endpoint switch, Anthropic's wording for schema errors, and
// their OpenAPI tag and security schemes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { SCOPE_WRITE } from '../../../src/rpc/scopes.js'
import { endpointGate, type SurfaceOptions } from '../endpoints.js'
import { anthropicSchemaErrors } from './errors.js'

/** Anthropic clients send the key as `x-api-key`; the gateway's verifier reads `Authorization: Bearer`. */
function apiKeyAsBearer (request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  const key = request.headers['x-api-key']
  if (request.headers.authorization === undefined && typeof key === 'string' && key !== '') request.headers.authorization = `Bearer ${key}`
  done()
}

export function anthropicRouteOptions (app: FastifyInstance, surface: SurfaceOptions) {
  return {
    onRequest: [apiKeyAsBearer, app.httpAuth(SCOPE_WRITE), endpointGate(app, 'messages')],
    bodyLimit: surface.bodyLimit,
    schemaErrorFormatter: anthropicSchemaErrors
  }
}

export const ANTHROPIC_DOCS: { tags: string[], security: Array<Record<string, string[]>> } = { tags: ['anthropic'], security: [{ bearerAuth: [] }, { apiKeyHeader: [] }] }
