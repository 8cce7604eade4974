// Limits and timings of the WebSocket control plane (contract 1.1), resolved
// once from plugin options and the gateway environment.
import type { FastifyRequest } from 'fastify'
import type { Env } from '../../src/config/paths.js'

export const MAX_PAYLOAD_BYTES = 26_214_400
export const MAX_BUFFERED_BYTES = 52_428_800
export const MAX_PREAUTH_PAYLOAD_BYTES = 65_536
export const MAX_PENDING_HANDSHAKE_FRAMES = 16
export const TICK_INTERVAL_MS = 30_000
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 15_000
export const PING_INTERVAL_MS = 30_000
export const PONG_TIMEOUT_MS = 25_000
export const CLOSE_GRACE_MS = 1_000
export const MAX_UNAUTHORIZED_CALLS = 10
export const DEVICE_SIGNATURE_SKEW_MS = 120_000

export interface WsRpcOptions {
  tickIntervalMs?: number
  /** Overrides OPENCLAW_HANDSHAKE_TIMEOUT_MS. */
  handshakeTimeoutMs?: number
  pingIntervalMs?: number
  pongTimeoutMs?: number
  /** Past this, a socket is a slow consumer (advertised as policy.maxBufferedBytes). */
  maxBufferedBytes?: number
  /** How long closing sockets get to finish the close handshake on shutdown. */
  closeGraceMs?: number
  /**
   * Decides whether a request comes from this machine (loopback peer, local Host,
   * no unattributed proxy headers). Tests inject it to exercise the remote paths.
   */
  isLocalClient?: (request: FastifyRequest) => boolean
}

export interface WsRpcSettings {
  tickIntervalMs: number
  handshakeTimeoutMs: number
  pingIntervalMs: number
  pongTimeoutMs: number
  maxBufferedBytes: number
  closeGraceMs: number
}

export function resolveSettings (opts: WsRpcOptions, env: Env): WsRpcSettings {
  return {
    tickIntervalMs: positive(opts.tickIntervalMs) ?? TICK_INTERVAL_MS,
    handshakeTimeoutMs: positive(opts.handshakeTimeoutMs) ?? positive(Number(env.OPENCLAW_HANDSHAKE_TIMEOUT_MS)) ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    pingIntervalMs: positive(opts.pingIntervalMs) ?? PING_INTERVAL_MS,
    pongTimeoutMs: positive(opts.pongTimeoutMs) ?? PONG_TIMEOUT_MS,
    maxBufferedBytes: positive(opts.maxBufferedBytes) ?? MAX_BUFFERED_BYTES,
    closeGraceMs: positive(opts.closeGraceMs) ?? CLOSE_GRACE_MS
  }
}

function positive (n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) && n > 0 ? Math.floor(n) : undefined
}

/** WebSocket close reasons are limited to 123 bytes of UTF-8. */
export function truncateCloseReason (reason: string): string {
  if (Buffer.byteLength(reason) <= 123) return reason
  let out = reason
  while (Buffer.byteLength(out) > 120) out = out.slice(0, -1)
  return `${out}...`
}
