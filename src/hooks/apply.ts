// A matched mapping turned into the actions it asks for (contract 4): the
// templates rendered, the transform's overrides merged, `forEach` fanned out
// (200 items at most). No action at all (a transform returning null, an empty
// batch) is a 204 for the caller.
import { ERR_HOOK_MAPPING_FAILED } from '../errors/hooks.js'
import { ERR_INVALID_REQUEST } from '../errors/index.js'
import type { HookMapping } from './mappings.js'
import { renderTemplate } from './templates.js'
import type { TransformContext, TransformResult } from './transforms.js'

export const FAN_OUT_MAX_ITEMS = 200

export interface MappedAction {
  kind: 'agent' | 'wake'
  text: string
  name: string
  agentId?: string | undefined
  sessionKey?: string | undefined
  sessionMode: 'isolated' | 'persistent'
  wakeMode: 'now' | 'next-heartbeat'
  deliver: boolean
  model?: string | undefined
  timeoutSeconds?: number | undefined
  missing: string[]
}

export interface MappedActions { actions: MappedAction[], fanOut: boolean, dropped: number }

export type RunTransform = (spec: NonNullable<HookMapping['transform']>, ctx: TransformContext) => Promise<TransformResult>

export async function applyMapping (m: HookMapping, name: string, ctx: TransformContext, runTransform: RunTransform): Promise<MappedActions> {
  if (m.forEach === undefined) {
    const one = await applyOne(m, name, ctx, runTransform)
    return { actions: one === undefined ? [] : [one], fanOut: false, dropped: 0 }
  }
  const raw = ctx.payload[m.forEach]
  const all: unknown[] = Array.isArray(raw) ? raw : []
  const items = all.slice(0, FAN_OUT_MAX_ITEMS)
  const actions: MappedAction[] = []
  // Each item sees the payload with the batch replaced by itself, so `{{payload.messages[0].id}}` means "this one".
  for (const item of items) {
    const one = await applyOne(m, name, { ...ctx, payload: { ...ctx.payload, [m.forEach]: [item] } }, runTransform)
    if (one !== undefined) actions.push(one)
  }
  return { actions, fanOut: true, dropped: all.length - items.length }
}

async function applyOne (m: HookMapping, name: string, ctx: TransformContext, runTransform: RunTransform): Promise<MappedAction | undefined> {
  const kind = m.action ?? 'agent'
  const template = kind === 'wake' ? (m.textTemplate ?? m.messageTemplate) : (m.messageTemplate ?? m.textTemplate)
  const rctx = { payload: ctx.payload, path: ctx.path }
  const rendered = template === undefined ? { text: JSON.stringify(ctx.payload), missing: [] } : renderTemplate(template, rctx)
  const missing = [...rendered.missing]
  let sessionKey = m.sessionKey
  if (sessionKey !== undefined && sessionKey.includes('{{')) {
    const key = renderTemplate(sessionKey, rctx)
    if (key.text.trim() === '') throw new ERR_INVALID_REQUEST(`mapping "${name}" rendered an empty sessionKey`)
    sessionKey = key.text.trim()
  }
  const action: MappedAction = {
    kind,
    text: rendered.text,
    name: m.name ?? name,
    agentId: m.agentId,
    sessionKey,
    sessionMode: m.sessionMode ?? 'isolated',
    wakeMode: m.wakeMode ?? 'now',
    deliver: m.deliver !== false,
    model: m.model,
    timeoutSeconds: m.timeoutSeconds,
    missing
  }
  if (m.transform !== undefined) {
    const override = await runTransform(m.transform, ctx)
    if (override === null) return undefined
    merge(action, override, m.transform.module)
  }
  if (action.text.trim() === '') throw new ERR_INVALID_REQUEST(`mapping "${name}" rendered an empty ${action.kind === 'wake' ? 'text' : 'message'}`)
  return action
}

/** The transform's fields over the rendered action, each checked for its type (OpenClaw's field names). */
function merge (action: MappedAction, o: Record<string, unknown>, module: string): void {
  const bad = (field: string, want: string) => new ERR_HOOK_MAPPING_FAILED(`transform "${module}" returned ${field} that is not ${want}`)
  const str = (field: string): string | undefined => {
    const v = o[field]
    if (v === undefined) return undefined
    if (typeof v !== 'string') throw bad(field, 'a string')
    return v
  }
  const oneOf = <T extends string>(field: string, allowed: readonly T[]): T | undefined => {
    const v = str(field)
    if (v !== undefined && !allowed.includes(v as T)) throw bad(field, allowed.join(' or '))
    return v as T | undefined
  }
  action.kind = oneOf('kind', ['agent', 'wake'] as const) ?? action.kind
  const text = action.kind === 'wake' ? str('text') ?? str('message') : str('message') ?? str('text')
  if (text !== undefined) { action.text = text; action.missing = [] }
  action.wakeMode = oneOf(action.kind === 'wake' ? 'mode' : 'wakeMode', ['now', 'next-heartbeat'] as const) ?? action.wakeMode
  action.sessionMode = oneOf('sessionMode', ['isolated', 'persistent'] as const) ?? action.sessionMode
  action.name = str('name') ?? action.name
  action.agentId = str('agentId') ?? action.agentId
  action.sessionKey = str('sessionKey') ?? action.sessionKey
  action.model = str('model') ?? action.model
  if (o.deliver !== undefined) {
    if (typeof o.deliver !== 'boolean') throw bad('deliver', 'a boolean')
    action.deliver = o.deliver
  }
  if (o.timeoutSeconds !== undefined) {
    if (typeof o.timeoutSeconds !== 'number' || !(o.timeoutSeconds > 0) || o.timeoutSeconds > 86_400) throw bad('timeoutSeconds', 'a number of seconds (0–86400]')
    action.timeoutSeconds = o.timeoutSeconds
  }
}
