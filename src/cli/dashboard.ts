// `openclaw dashboard`: prints the Control UI URL of the local gateway with its
// secret in the URL fragment (`#token=…`: a fragment never reaches the server,
// its logs or a Referer header; the UI reads it once and removes it), and opens
// a browser when this session has a display and `xdg-open`.
import { spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import path from 'node:path'
import type { Argv, CommandModule } from 'yargs'
import { normalizeBasePath } from '../http/control-ui.js'
import type { Env } from '../config/paths.js'
import { resolveTarget } from './common/connection.js'
import { loadContext, type GlobalArgs } from './common/context.js'
import { err, out, runCommand } from './common/output.js'

interface DashboardArgs extends GlobalArgs {
  port?: number | undefined
  token?: string | undefined
  open?: boolean
}

export function dashboardUrl (host: string, port: number, basePath: string | undefined, secret: string | undefined): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
  const base = normalizeBasePath(basePath)
  return `http://${h}:${port}${base}/${secret !== undefined && secret !== '' ? `#token=${encodeURIComponent(secret)}` : ''}`
}

/** `xdg-open` on PATH, and only with a graphical session to show it in. */
export function browserOpener (env: Env): string | undefined {
  if ((env.DISPLAY ?? '') === '' && (env.WAYLAND_DISPLAY ?? '') === '') return undefined
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue
    const candidate = path.join(dir, 'xdg-open')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch { /* not here */ }
  }
  return undefined
}

async function dashboard (args: DashboardArgs): Promise<number> {
  const ctx = await loadContext(args)
  const target = await resolveTarget(ctx, { port: args.port, token: args.token })
  if (target.authWarning !== undefined) err(`warning: ${target.authWarning}`)
  const u = new URL(target.url)
  const secret = target.auth.token ?? target.auth.password
  const url = dashboardUrl(u.hostname.replace(/^\[|\]$/g, ''), Number(u.port), ctx.config.gateway?.controlUi?.basePath, secret)
  if (ctx.config.gateway?.controlUi?.enabled === false) err('warning: gateway.controlUi.enabled is false: the gateway does not serve the Control UI')
  out(url)
  if (secret === undefined) err('No gateway secret found for this gateway: the page will ask for one.')
  const opener = args.open === false ? undefined : browserOpener(ctx.env)
  if (opener !== undefined) {
    const child = spawn(opener, [url], { detached: true, stdio: 'ignore', env: ctx.env as NodeJS.ProcessEnv })
    child.on('error', () => { err('Could not open a browser; open the URL above.') })
    child.unref()
    out('Opened in your browser.')
  } else if (args.open !== false) {
    out('Open this URL in a browser on this machine (it signs you in; keep it private).')
  }
  return 0
}

const builder = (y: Argv) => y
  .option('port', { type: 'number', description: 'Local gateway port (default: OPENCLAW_GATEWAY_PORT, gateway.port, 18789)' })
  .option('token', { type: 'string', description: 'Gateway token to put in the link (default: the configured or generated one)' })
  .option('open', { type: 'boolean', default: true, description: 'Open a browser when one is available (--no-open: print only)' }) as Argv<DashboardArgs>

export const dashboardCommand: CommandModule<object, DashboardArgs> = {
  command: 'dashboard',
  describe: 'Print (and open) the Control UI link, signed in with the gateway token',
  builder,
  handler: runCommand(dashboard)
}
