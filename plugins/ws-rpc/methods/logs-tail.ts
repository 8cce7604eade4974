// logs.tail: polls the gateway's JSONL log by cursor (contract 2.2). The file
// a connection last read is remembered per connection, so a rotation or a
// day change answers `reset: true` even when the old cursor happens to fit.
import type { FastifyInstance } from 'fastify'
import { LogsTailParams, LogsTailResult } from '../../../schemas/rpc/core.js'
import { RpcError } from '../../../src/errors/index.js'
import { DEFAULT_LIMIT, DEFAULT_MAX_BYTES, readLogTail } from '../../../src/rpc/log-tail.js'
import { SCOPE_READ } from '../../../src/rpc/scopes.js'

const LAST_READ = 'logs.tail:last'

export function registerLogsTail (app: FastifyInstance): void {
  app.rpc.register('logs.tail', {
    scope: SCOPE_READ,
    params: LogsTailParams,
    result: LogsTailResult,
    handler: async (params, ctx) => {
      const file = app.gateway.logFile()
      if (file === undefined || file === '') throw new RpcError('UNAVAILABLE', 'log file unavailable (file logging is disabled)')
      const { identity, ...result } = await readLogTail({
        file,
        cursor: params.cursor,
        limit: params.limit ?? DEFAULT_LIMIT,
        maxBytes: params.maxBytes ?? DEFAULT_MAX_BYTES,
        previous: ctx.state.get(LAST_READ) as { file: string, identity: string } | undefined
      })
      if (identity !== '') ctx.state.set(LAST_READ, { file, identity })
      return result
    }
  })
}
