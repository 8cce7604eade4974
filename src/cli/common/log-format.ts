// One JSONL log record → one human line: `time level [subsystem] msg key=value…`.
// Understands pino records (ours) and tslog-style records (OpenClaw's:
// `_meta.logLevelName`, numbered argument keys); anything else prints raw.

const PINO_LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'subsystem', 'msg', 'message', 'v', '_meta', 'name'])
const MAX_EXTRAS = 6

type Obj = Record<string, unknown>

export function formatLogLine (line: string): string {
  let rec: unknown
  try { rec = JSON.parse(line) } catch { return line }
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return line
  const r = rec as Obj
  const meta = typeof r._meta === 'object' && r._meta !== null ? r._meta as Obj : {}
  const time = timeOf(r.time ?? meta.date)
  const level = levelOf(r.level ?? meta.logLevelName)
  const subsystem = typeof r.subsystem === 'string' ? r.subsystem : typeof meta.name === 'string' ? meta.name : typeof r.name === 'string' ? r.name : undefined
  const msg = typeof r.msg === 'string' ? r.msg : typeof r.message === 'string' ? r.message : numberedArgs(r)
  const extras: string[] = []
  for (const [k, v] of Object.entries(r)) {
    if (SKIP.has(k) || /^\d+$/.test(k) || extras.length >= MAX_EXTRAS) continue
    const text = scalar(v) ?? errorText(v)
    if (text !== undefined) extras.push(`${k}=${text}`)
  }
  return [time, level.padEnd(5), subsystem === undefined ? undefined : `[${subsystem}]`, msg, ...extras]
    .filter((p) => p !== undefined && p !== '').join(' ')
}

function timeOf (v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number') return new Date(v).toISOString()
  return '-'
}

function levelOf (v: unknown): string {
  if (typeof v === 'number') return PINO_LEVELS[v] ?? String(v)
  if (typeof v === 'string') return v.toLowerCase()
  return 'info'
}

function numberedArgs (r: Obj): string {
  const parts: string[] = []
  for (let i = 0; String(i) in r; i++) {
    const v = r[String(i)]
    parts.push(typeof v === 'string' ? v : JSON.stringify(v))
  }
  return parts.join(' ')
}

function scalar (v: unknown): string | undefined {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return undefined
}

function errorText (v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined
  const message = (v as { message?: unknown }).message
  return typeof message === 'string' ? JSON.stringify(message) : undefined
}
