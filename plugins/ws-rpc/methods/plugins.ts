// plugins.list (operator.read) and plugins.reload (operator.admin): the plugin
// host's records; a reload re-imports edited entry files (docs/plugins.md).
import type { FastifyInstance } from 'fastify'
import { EmptyParams } from '../../../schemas/rpc/core.js'
import { PluginsListResult } from '../../../schemas/rpc/plugins.js'
import { SCOPE_ADMIN, SCOPE_READ } from '../../../src/rpc/scopes.js'

export function registerPluginMethods (app: FastifyInstance): void {
  app.rpc.register('plugins.list', {
    scope: SCOPE_READ,
    params: EmptyParams,
    result: PluginsListResult,
    handler: async () => ({ plugins: [...app.pluginHost.list()] })
  })
  app.rpc.register('plugins.reload', {
    scope: SCOPE_ADMIN,
    params: EmptyParams,
    result: PluginsListResult,
    handler: async () => ({ plugins: [...await app.pluginHost.reload()] })
  })
}
