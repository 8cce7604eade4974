// plugins.list / plugins.reload: what the plugin host found, activated or not.
import { Type, type Static } from '@sinclair/typebox'
import { Closed } from '../common.js'

export const PluginInfo = Closed({
  id: Type.String(),
  /** The file path, or `npm:<package>`. */
  origin: Type.String(),
  enabled: Type.Boolean(),
  activated: Type.Boolean(),
  error: Type.Optional(Type.String()),
  methods: Type.Array(Type.String()),
  tools: Type.Array(Type.String()),
  routes: Type.Array(Type.String()),
  channels: Type.Array(Type.String()),
  hookMappings: Type.Integer({ minimum: 0 })
})
export type PluginInfo = Static<typeof PluginInfo>

export const PluginsListResult = Closed({ plugins: Type.Array(PluginInfo) })
