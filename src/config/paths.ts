// Where the gateway keeps its files (contract 6.1). Pure: the environment is passed in.
import os from 'node:os'
import path from 'node:path'

export type Env = Readonly<Record<string, string | undefined>>

export interface PathOptions {
  env: Env
  /** `--profile <name>`; `--dev` is the `dev` profile. */
  profile?: string | undefined
  dev?: boolean | undefined
}

export interface GatewayPaths {
  home: string
  /** Normalised profile name, undefined for the default profile. */
  profile: string | undefined
  stateDir: string
  configPath: string
  /** Default daily log directory (spec decision 6); `logging.file` overrides. */
  logDir: string
}

export function resolveHome (env: Env): string {
  return nonEmpty(env.OPENCLAW_HOME) ?? nonEmpty(env.HOME) ?? nonEmpty(env.USERPROFILE) ?? os.homedir()
}

export function resolveProfile (opts: PathOptions): string | undefined {
  const raw = opts.dev === true ? 'dev' : (opts.profile ?? nonEmpty(opts.env.OPENCLAW_PROFILE))
  if (raw === undefined) return undefined
  const name = raw.trim().toLowerCase()
  return name === '' || name === 'default' ? undefined : name
}

export function resolvePaths (opts: PathOptions): GatewayPaths {
  const home = resolveHome(opts.env)
  const profile = resolveProfile(opts)
  const stateDir = path.resolve(expandHome(nonEmpty(opts.env.OPENCLAW_STATE_DIR) ?? path.join(home, profile === undefined ? '.openclaw' : `.openclaw-${profile}`), home))
  const configPath = path.resolve(expandHome(nonEmpty(opts.env.OPENCLAW_CONFIG_PATH) ?? path.join(stateDir, 'openclaw.json'), home))
  return { home, profile, stateDir, configPath, logDir: path.join(os.tmpdir(), 'openclaw') }
}

/** `/tmp/openclaw/openclaw[-<profile>]-YYYY-MM-DD.log` for the given day (local date). */
export function dailyLogFile (paths: GatewayPaths, date: Date): string {
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
  const stem = paths.profile === undefined ? 'openclaw' : `openclaw-${paths.profile}`
  return path.join(paths.logDir, `${stem}-${day}.log`)
}

export function expandHome (p: string, home: string): string {
  if (p === '~') return home
  if (p.startsWith('~/')) return path.join(home, p.slice(2))
  return p
}

function pad (n: number): string { return n < 10 ? `0${n}` : String(n) }
function nonEmpty (v: string | undefined): string | undefined { return v === undefined || v.trim() === '' ? undefined : v }
