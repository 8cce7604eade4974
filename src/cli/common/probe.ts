// The connectivity + RPC probe behind `gateway status` and `doctor`: connect
// (protocol 3..4), then read `health` and `status`. Never throws for gateway
// failures; it reports them.
import { GatewayClientError, type ClientErrorCode } from '../../errors/client.js'
import type { HelloOk } from '../../client/frames.js'
import type { GatewayClient } from '../../client/gateway-client.js'
import { connectHint, openClient, type GatewayTarget } from './connection.js'
import type { CliContext } from './context.js'

export type Capability = 'admin-capable' | 'write-capable' | 'read-only' | 'connect-only' | 'pairing-pending'

export interface ProbeResult {
  url: string
  connect: { ok: boolean, latencyMs?: number, error?: string, code?: ClientErrorCode, hint?: string }
  /** Read RPC (`status`) succeeded: the "RPC probe" line. */
  rpc: { ok: boolean, error?: string }
  capability: Capability | undefined
  scopes: string[] | undefined
  hello: HelloOk | undefined
  health: unknown
  status: unknown
}

export function capabilityOf (scopes: readonly string[]): Capability {
  if (scopes.includes('operator.admin')) return 'admin-capable'
  if (scopes.includes('operator.write')) return 'write-capable'
  if (scopes.includes('operator.read')) return 'read-only'
  return 'connect-only'
}

export async function probeGateway (ctx: CliContext, target: GatewayTarget, opts: { timeoutMs: number }): Promise<ProbeResult> {
  const result: ProbeResult = {
    url: target.url,
    connect: { ok: false },
    rpc: { ok: false },
    capability: undefined,
    scopes: undefined,
    hello: undefined,
    health: undefined,
    status: undefined
  }
  const started = Date.now()
  let client: GatewayClient
  try {
    client = await openClient(ctx, target, { probe: true, timeoutMs: opts.timeoutMs })
  } catch (e) {
    if (!(e instanceof GatewayClientError)) throw e
    const hint = connectHint(e, ctx, target)
    result.connect = { ok: false, error: e.message, code: e.code, ...(hint === undefined ? {} : { hint }) }
    result.rpc = { ok: false, error: 'not connected' }
    if (e.code === 'NOT_PAIRED') result.capability = 'pairing-pending'
    return result
  }
  try {
    result.connect = { ok: true, latencyMs: Date.now() - started }
    result.hello = client.hello
    result.scopes = [...client.scopes]
    result.capability = capabilityOf(client.scopes)
    const [health, status] = await Promise.allSettled([client.request('health'), client.request('status')])
    if (health.status === 'fulfilled') result.health = health.value
    if (status.status === 'fulfilled') {
      result.status = status.value
      result.rpc = { ok: true }
    } else {
      result.rpc = { ok: false, error: (status.reason as Error).message }
    }
  } finally {
    await client.close()
  }
  return result
}
