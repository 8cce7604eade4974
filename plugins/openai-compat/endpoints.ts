// The `gateway.http.endpoints.*.enabled` switches (spec decision 2: on unless
// set to false), read per request so a config reload applies at once.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { GatewayConfig } from '../../schemas/config.js'
import type { DisconnectWatch } from '../../src/http/disconnect-watch.js'
import type { KeepAlive } from './streaming/index.js'
import { notFound } from './errors.js'

export type Endpoint = 'chatCompletions' | 'responses' | 'messages'
/** `models` and `embeddings` follow the two switches: served while either is on. */
export type Gate = Endpoint | 'either'

export interface SurfaceOptions {
  /** Request body limit of the OpenAI routes (contract 3.4: 20 MB). */
  bodyLimit: number
  /** Clients that leave mid-run abort their run. */
  disconnects: DisconnectWatch
  /** The one keep-alive timer of every open event stream. */
  keepAlive: KeepAlive
}

export function endpointEnabled (config: Readonly<GatewayConfig>, endpoint: Endpoint): boolean {
  return config.gateway?.http?.endpoints?.[endpoint]?.enabled !== false
}

const KEYS: Record<Gate, string> = {
  chatCompletions: 'gateway.http.endpoints.chatCompletions.enabled',
  responses: 'gateway.http.endpoints.responses.enabled',
  messages: 'gateway.http.endpoints.messages.enabled',
  either: 'gateway.http.endpoints.chatCompletions.enabled or gateway.http.endpoints.responses.enabled'
}

/** An onRequest hook that answers 404 (OpenAI shape) while the endpoint is switched off. */
export function endpointGate (app: FastifyInstance, gate: Gate) {
  return function endpointGateHook (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
    const config = app.configStore.config
    const on = gate === 'either'
      ? endpointEnabled(config, 'chatCompletions') || endpointEnabled(config, 'responses')
      : endpointEnabled(config, gate)
    done(on ? undefined : notFound(`${request.routeOptions.url ?? request.url} is disabled on this gateway (${KEYS[gate]} is false).`, 'endpoint_disabled'))
  }
}
