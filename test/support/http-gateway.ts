// The OpenAI-surface fixture: a fake upstream model server plus an in-process
// gateway (test/support/gateway.ts) whose default agent runs `fake/echo`
// against it, and an official `openai` SDK client pointed at the gateway.
import type { TestContext } from 'node:test'
import OpenAI from 'openai'
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js'
import { startTestGateway, type TestGateway, type TestGatewayOptions } from './gateway.js'
import { defer } from './defer.js'

export interface HttpGateway {
  gw: TestGateway
  upstream: FakeUpstream
  /** http://127.0.0.1:<port> */
  origin: string
  /** `${origin}/v1`, what clients are configured with. */
  baseURL: string
  token: string | undefined
  client: OpenAI
  /** fetch against the gateway with the bearer token (unless `auth: false`). */
  fetch: (path: string, init?: RequestInit & { auth?: boolean, json?: unknown }) => Promise<Response>
  /** Swaps the running config (hot apply), bypassing file validation. */
  setConfig: (config: Record<string, unknown>) => void
}

export interface HttpGatewayOptions extends Omit<TestGatewayOptions, 'config'> {
  /** Extra config merged over the fake provider and default model. */
  config?: (upstream: FakeUpstream) => Record<string, unknown>
}

export function fakeProviderConfig (upstream: FakeUpstream): Record<string, unknown> {
  return {
    models: { providers: { fake: { baseUrl: upstream.openaiBaseUrl, api: 'openai-completions', apiKey: 'sk-test', models: [{ id: 'echo' }] } } },
    agents: { defaults: { model: 'fake/echo' } }
  }
}

export async function startHttpGateway (t: TestContext, opts: HttpGatewayOptions = {}): Promise<HttpGateway> {
  const upstream = await startFakeUpstream()
  const config = { ...fakeProviderConfig(upstream), ...opts.config?.(upstream) }
  let gw: TestGateway
  try {
    gw = await startTestGateway({ ...opts, config })
  } catch (err) {
    await upstream.close()
    throw err
  }
  defer(t, async () => {
    await gw.close()
    await upstream.close()
  })
  const origin = `http://127.0.0.1:${gw.port}`
  const baseURL = `${origin}/v1`
  const token = gw.token
  return {
    gw,
    upstream,
    origin,
    baseURL,
    token,
    client: new OpenAI({ apiKey: token ?? 'unused', baseURL, maxRetries: 0, timeout: 10_000 }),
    fetch: async (path, init = {}) => {
      const { auth, json, ...rest } = init
      const headers = new Headers(rest.headers)
      if (auth !== false && token !== undefined && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`)
      if (json !== undefined) {
        if (!headers.has('content-type')) headers.set('content-type', 'application/json')
        rest.body = JSON.stringify(json)
        rest.method ??= 'POST'
      }
      return fetch(`${origin}${path}`, { ...rest, headers, signal: rest.signal ?? AbortSignal.timeout(10_000) })
    },
    setConfig: (next) => {
      const store = gw.app.configStore
      const current = store.current
      store.swap({ ...current, snapshot: { ...current.snapshot, config: next } }, ['test'])
    }
  }
}
