// An in-process gateway (build(t)) with GET /x behind the gateway bearer check:
// the stand-in for any protected route in the auth and HTTP-surface tests.
import type { TestContext } from 'node:test'
import type { GatewayApp } from '../../src/app.js'
import { SCOPE_READ } from '../../src/rpc/scopes.js'
import { build, type TestGatewayOptions } from './gateway.js'

export async function buildWithProtectedRoute (t: TestContext, opts: TestGatewayOptions = {}): Promise<GatewayApp> {
  const gw = await build(t, {
    ...opts,
    beforeListen: async (app) => {
      await app.register(async (routes) => { routes.get('/x', { onRequest: routes.httpAuth(SCOPE_READ) }, async () => ({ ok: true })) })
    }
  })
  return gw.app
}
