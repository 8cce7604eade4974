// The real gateway for benchmarks: buildGateway from a config object, in a
// fresh temp HOME, with silent logs, listening on a loopback port 0.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { buildGateway } from '../../src/app.js'
import { parseConfigText } from '../../src/config/load.js'
import { resolveSecrets } from '../../src/config/secrets.js'
import { resolveAuth } from '../../src/config/settings.js'
import { ConfigStore } from '../../src/config/store.js'
import { createLogger } from '../../src/logging/logger.js'

import { BENCH_TOKEN } from './token.js'

/** The HTTP benches' config: every agent answers through the echo upstream's one model. */
export function echoAgentConfig (upstream: string, agentDefaults: Record<string, unknown> = {}): Record<string, any> {
  return {
    models: { providers: { fake: { baseUrl: `${upstream}/v1`, api: 'openai-completions', apiKey: 'sk-bench', models: [{ id: 'echo' }] } } },
    agents: { defaults: { model: 'fake/echo', maxConcurrent: 1000, ...agentDefaults } }
  }
}

export interface BenchGateway { url: string, port: number, close: () => Promise<void> }

/**
 * `config` is written as the gateway's config file would be; `gateway.auth.token` defaults to BENCH_TOKEN.
 * `stateDir` points the gateway at prepared state (left in place on close).
 */
export async function startBenchGateway (config: Record<string, any> = {}, listen: { backlog?: number } = {}, opts: { stateDir?: string } = {}): Promise<BenchGateway> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ocgw-bench-'))
  const env = { HOME: dir }
  const full = { ...config, gateway: { mode: 'local', auth: { mode: 'token', token: BENCH_TOKEN }, ...config.gateway } }
  const snapshot = parseConfigText(path.join(dir, 'openclaw.json'), JSON.stringify(full), env)
  const secrets = await resolveSecrets(snapshot.config, env)
  const app = await buildGateway({
    store: new ConfigStore({ snapshot, secrets, auth: resolveAuth(snapshot.config, secrets, {}, env) }),
    paths: { home: dir, profile: undefined, stateDir: opts.stateDir ?? path.join(dir, 'state'), configPath: path.join(dir, 'openclaw.json'), logDir: dir },
    listen: { port: 0, bind: 'loopback', host: '127.0.0.1' },
    logger: createLogger({ level: 'silent', file: undefined }),
    version: '0.0.0-bench',
    env
  })
  await app.listen({ port: 0, host: '127.0.0.1', ...listen })
  const port = (app.server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      await app.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
}
