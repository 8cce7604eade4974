// The operator's view of a pino JSON line on stdout:
//   [HH:MM:ss] INFO: [subsystem] message {"extra":"fields"}
// followed by the stack of an `err`, indented. The log file keeps the JSON.
// Small on purpose: pino-pretty is a development tool (and a devDependency),
// and loading it cost more at start-up than the whole formatter below.

const LEVELS: Record<number, [label: string, color: number]> = {
  10: ['TRACE', 90], 20: ['DEBUG', 36], 30: ['INFO', 32], 40: ['WARN', 33], 50: ['ERROR', 31], 60: ['FATAL', 35]
}
/** Keys shown in the prefix (or never): everything else is printed as JSON after the message. */
const SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'subsystem', 'msg'])

export function formatHuman (line: string, colorize: boolean): string {
  let rec: Record<string, unknown>
  try {
    rec = JSON.parse(line) as Record<string, unknown>
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`
  }
  const [name, color] = LEVELS[rec.level as number] ?? ['USERLVL', 37]
  const label = colorize ? `\u001b[${color}m${name}\u001b[39m` : name
  const sub = typeof rec.subsystem === 'string' ? `[${rec.subsystem}] ` : ''
  const extra: Record<string, unknown> = {}
  let stack = ''
  for (const [k, v] of Object.entries(rec)) {
    if (SHOWN.has(k)) continue
    if ((k === 'err' || k === 'error') && typeof (v as { stack?: unknown })?.stack === 'string') {
      stack += `\n    ${(v as { stack: string }).stack.replace(/\n/g, '\n    ')}`
    } else {
      extra[k] = v
    }
  }
  const rest = Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : ''
  return `[${clock(rec.time)}] ${label}: ${sub}${String(rec.msg ?? '')}${rest}${stack}\n`
}

function clock (time: unknown): string {
  const d = typeof time === 'string' || typeof time === 'number' ? new Date(time) : new Date()
  const pad = (n: number) => (n < 10 ? `0${n}` : String(n))
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}
