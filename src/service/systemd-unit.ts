// The systemd user unit `openclaw gateway install` writes (contract 7.3), and
// the reverse: reading port, command and environment back out of an installed
// unit for `gateway status` and `doctor` drift checks. Pure text in, text out.
import path from 'node:path'

export interface UnitSpec {
  /** Absolute node binary. */
  node: string
  /** Absolute path of this CLI's entry script. */
  entry: string
  port: number
  profile: string | undefined
  /** Environment= lines, in order (OPENCLAW_* only; never secrets). */
  environment: ReadonlyArray<[string, string]>
  version: string
}

export interface ParsedUnit {
  execStart: string[] | undefined
  port: number | undefined
  environment: Record<string, string>
}

export function unitName (profile: string | undefined): string {
  return profile === undefined ? 'openclaw-gateway.service' : `openclaw-gateway-${profile}.service`
}

/** `~/.config/systemd/user/<unit>`; home is OPENCLAW_HOME, else HOME (contract 6.1). */
export function unitPath (home: string, profile: string | undefined): string {
  return path.join(home, '.config', 'systemd', 'user', unitName(profile))
}

export function renderUnit (spec: UnitSpec): string {
  const exec = [spec.node, spec.entry, 'gateway', '--port', String(spec.port)].map(quoteArg).join(' ')
  const description = spec.profile === undefined ? 'OpenClaw Gateway' : `OpenClaw Gateway (profile ${spec.profile})`
  return [
    `# Written by \`openclaw gateway install\` (openclaw-gateway ${spec.version}).`,
    '# Re-run it with --force after changing the port, profile or paths; `openclaw doctor` reports drift.',
    '[Unit]',
    `Description=${description}`,
    'After=network-online.target',
    'Wants=network-online.target',
    'StartLimitBurst=10',
    'StartLimitIntervalSec=300',
    '',
    '[Service]',
    `ExecStart=${exec}`,
    'Restart=always',
    'RestartSec=5',
    // 78 = invalid config or a start blocked by configuration: restarting cannot help.
    'RestartPreventExitStatus=78',
    'TimeoutStopSec=330',
    'TimeoutStartSec=30',
    'SuccessExitStatus=0 143',
    'OOMPolicy=continue',
    'KillMode=mixed',
    ...spec.environment.map(([k, v]) => `Environment=${quoteArg(`${k}=${v}`)}`),
    '',
    '[Install]',
    'WantedBy=default.target',
    ''
  ].join('\n')
}

export function parseUnit (text: string): ParsedUnit {
  const environment: Record<string, string> = {}
  let execStart: string[] | undefined
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line.startsWith('ExecStart=')) execStart = splitArgs(line.slice('ExecStart='.length))
    if (line.startsWith('Environment=')) {
      for (const assignment of splitArgs(line.slice('Environment='.length))) {
        const eq = assignment.indexOf('=')
        if (eq > 0) environment[assignment.slice(0, eq)] = assignment.slice(eq + 1)
      }
    }
  }
  return { execStart, port: portFromArgs(execStart), environment }
}

function portFromArgs (args: string[] | undefined): number | undefined {
  if (args === undefined) return undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    const value = a === '--port' ? args[i + 1] : a.startsWith('--port=') ? a.slice(7) : undefined
    if (value !== undefined && /^\d+$/.test(value)) return Number(value)
  }
  return undefined
}

/**
 * systemd splits ExecStart/Environment on whitespace and honours double quotes
 * with C-style escapes; `%` starts a specifier and `$` a variable, so both are doubled.
 */
export function quoteArg (arg: string): string {
  const escaped = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$')
  if (/^[A-Za-z0-9_@%+=:,./$-]+$/.test(escaped)) return escaped
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

function splitArgs (s: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  let any = false
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (quoted && c === '\\' && i + 1 < s.length) { cur += s[++i]; continue }
    if (c === '"') { quoted = !quoted; any = true; continue }
    if (!quoted && /\s/.test(c)) {
      if (cur !== '' || any) out.push(cur)
      cur = ''
      any = false
      continue
    }
    cur += c
  }
  if (cur !== '' || any) out.push(cur)
  return out.map((a) => a.replace(/%%/g, '%').replace(/\$\$/g, '$'))
}
