// Params of the methods for features we do not offer (cron, tasks, approvals,
// questions, talk, progress cards, updates, session branches / companion /
// observer). OpenClaw's Control UI calls them regardless of features.methods;
// the params are OpenClaw's, so what the UI sends validates.
import { Type } from '@sinclair/typebox'
import { Closed, NonEmptyString, StringEnum } from '../common.js'

const OptString = Type.Optional(NonEmptyString)
const SessionScoped = Closed({ sessionKey: NonEmptyString, agentId: OptString })

export const UpdateStatusParams = Closed({ refreshCheckout: Type.Optional(Type.Boolean()) })
export const CronListParams = Closed({
  sessionKey: OptString,
  sessionAgentId: OptString,
  agentId: OptString,
  includeDisabled: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
  query: Type.Optional(Type.String()),
  enabled: Type.Optional(Type.Union([Type.Boolean(), Type.String()])),
  scheduleKind: Type.Optional(Type.String()),
  lastRunStatus: Type.Optional(Type.String()),
  trigger: Type.Optional(Type.String()),
  sortBy: Type.Optional(Type.String()),
  sortDir: Type.Optional(StringEnum(['asc', 'desc'])),
  compact: Type.Optional(Type.Boolean()),
  includeDeliveryPreviews: Type.Optional(Type.Boolean())
})
export const TasksListParams = Closed({
  status: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  agentId: OptString,
  sessionKey: OptString,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  sortBy: Type.Optional(Type.String())
})
export const TalkCatalogParams = Closed({ provider: OptString, model: OptString })
export const ObserverVisibilityParams = Closed({ visible: Type.Boolean() })
export const ProgressCardGetParams = SessionScoped
export const SessionsBranchesListParams = SessionScoped
export const SessionsCompanionStateParams = SessionScoped
