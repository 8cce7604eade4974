// Heartbeat settings and verdicts (OpenClaw's `heartbeat` keys): the interval,
// active hours, the prompt, and whether a reply is only "nothing to report".
import type { GatewayConfig } from '../../schemas/config.js'

export const HEARTBEAT_TOKEN = 'HEARTBEAT_OK'
export const DEFAULT_HEARTBEAT_PROMPT = 'Read HEARTBEAT.md if it exists (workspace context). Follow it strictly. ' +
  `Do not infer or repeat old tasks from prior chats. If nothing needs attention, reply ${HEARTBEAT_TOKEN}.`
export const DEFAULT_ACK_MAX_CHARS = 300
/** Documented default; heartbeats still run only when `every` is configured (docs/hooks.md). */
export const DEFAULT_EVERY = '30m'

type HeartbeatConfig = NonNullable<NonNullable<NonNullable<GatewayConfig['agents']>['defaults']>['heartbeat']>

export interface HeartbeatSettings {
  enabled: boolean
  every: string
  everyMs: number | null
  prompt: string
  target: string
  session: string | undefined
  model: string | undefined
  ackMaxChars: number
  activeHours: HeartbeatConfig['activeHours']
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** "30m", "1h", "45s", "1.5h"; a bare number is minutes (as OpenClaw). Null when unparsable. */
export function parseEvery (every: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(every.trim())
  if (m === null) return null
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 'm']!)
}

/** The agent entry's keys over `agents.defaults.heartbeat`; on only when an interval above zero is configured. */
export function heartbeatSettings (config: Readonly<GatewayConfig>, agentId: string): HeartbeatSettings {
  const hb: HeartbeatConfig = { ...config.agents?.defaults?.heartbeat, ...config.agents?.entries?.[agentId]?.heartbeat }
  const everyMs = hb.every === undefined ? null : parseEvery(hb.every)
  return {
    enabled: everyMs !== null && everyMs > 0,
    every: hb.every ?? DEFAULT_EVERY,
    everyMs,
    prompt: (hb.prompt ?? '').trim() !== '' ? hb.prompt! : DEFAULT_HEARTBEAT_PROMPT,
    target: hb.target ?? 'last',
    session: hb.session,
    model: hb.model,
    ackMaxChars: hb.ackMaxChars ?? DEFAULT_ACK_MAX_CHARS,
    activeHours: hb.activeHours
  }
}

/** Whether `now` falls in [start, end) in the zone; a window past midnight (22:00–06:00) wraps. */
export function withinActiveHours (hours: HeartbeatSettings['activeHours'], now: number): boolean {
  if (hours === undefined) return true
  const minute = minuteOfDay(now, hours.timezone)
  const start = toMinutes(hours.start)
  const end = toMinutes(hours.end)
  if (start === end) return true
  return start < end ? minute >= start && minute < end : minute >= start || minute < end
}

function toMinutes (hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number)
  return h! * 60 + m!
}

function minuteOfDay (now: number, timezone: string | undefined): number {
  // "local" and "user" (no user profile here) both mean the gateway host's zone.
  const timeZone = timezone === undefined || timezone === 'local' || timezone === 'user' ? undefined : timezone
  let parts: Intl.DateTimeFormatPart[]
  try {
    parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(now))
  } catch {
    // An unknown zone name: the host's zone rather than no heartbeats at all.
    parts = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(now))
  }
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0)
  return get('hour') * 60 + get('minute')
}

/**
 * A reply that starts or ends with HEARTBEAT_OK (markdown emphasis allowed)
 * and has at most `ackMaxChars` besides is an acknowledgement: not delivered.
 */
export function heartbeatAck (text: string, ackMaxChars: number): { ack: boolean, rest: string } {
  const trimmed = text.trim()
  const token = /^[*_`\s]*HEARTBEAT_OK[*_`\s]*[.!]?/
  const tail = /[*_`\s]*HEARTBEAT_OK[*_`\s]*[.!]?$/
  let rest = trimmed
  if (token.test(rest)) rest = rest.replace(token, '')
  else if (tail.test(rest)) rest = rest.replace(tail, '')
  else return { ack: false, rest: trimmed }
  rest = rest.trim()
  return { ack: rest.length <= ackMaxChars, rest }
}

/** HEARTBEAT.md with nothing but blank lines, headings and empty list items: nothing to do. */
export function effectivelyEmpty (markdown: string): boolean {
  return markdown.split('\n').every((line) => /^\s*(#+.*|[-*+]\s*(\[[ xX]?\])?\s*)?$/.test(line))
}
