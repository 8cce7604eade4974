// Params of the read-only catalogue methods: models, agents, tools, commands.
import { Type } from '@sinclair/typebox'
import { Closed, StringEnum } from '../common.js'

const OptString = Type.Optional(Type.String())

export const ModelsListParams = Closed({
  agentId: OptString,
  sessionKey: OptString,
  provider: OptString,
  includeDetails: Type.Optional(Type.Boolean()),
  view: Type.Optional(StringEnum(['default', 'configured', 'provider-config', 'all'])),
  refresh: Type.Optional(Type.Boolean()),
  preparedOnly: Type.Optional(Type.Boolean())
})

export const AgentIdentityParams = Closed({ agentId: OptString, sessionKey: OptString })

export const ToolsCatalogParams = Closed({ agentId: OptString, sessionKey: OptString })

export const CommandsListParams = Closed({ agentId: OptString, sessionKey: OptString })

export const ModelsAuthStatusParams = Closed({ refresh: Type.Optional(Type.Boolean()), agentId: OptString })
