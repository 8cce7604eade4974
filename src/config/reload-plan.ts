// Which config changes apply live and which need a restart (contract 6.3):
// every changed leaf path is matched to the longest rule prefix; a path no
// rule matches needs a restart.
export type ReloadKind = 'none' | 'hot' | 'restart'
export type ReloadMode = 'off' | 'hot' | 'restart' | 'hybrid'

const RULES: ReadonlyArray<readonly [string, ReloadKind]> = [
  // Snapshot swap only: read per use, or not read at all (the unsupported keys warn at start).
  ['gateway.remote', 'none'], ['gateway.reload', 'none'], ['meta', 'none'],
  ['agents', 'none'], ['secrets', 'none'], ['env', 'none'], ['$schema', 'none'],
  // Applied live: read per request, or applied by a change listener (logging: server.ts; rate limit: auth).
  ['logging', 'hot'],
  ['gateway.http.endpoints', 'hot'], ['gateway.http.models', 'hot'], ['gateway.http.cors', 'hot'], ['gateway.http.securityHeaders', 'hot'],
  ['gateway.tools', 'hot'], ['gateway.controlUi.enabled', 'hot'], ['gateway.controlUi.allowedOrigins', 'hot'],
  ['gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback', 'hot'], ['gateway.auth.rateLimit', 'hot'],
  ['gateway.auth.token', 'hot'], ['gateway.auth.password', 'hot'],
  ['agents.defaults', 'hot'], ['agents.entries', 'hot'], ['models', 'hot'], ['memory', 'hot'], ['tools', 'hot'],
  ['hooks', 'hot'], ['channels', 'hot'],
  // Read by each maintenance pass.
  ['session', 'hot'],
  // The hooks routes are registered at start under this path.
  ['hooks.path', 'restart'],
  // The plugin host rebuilds every plugin's instance on a change (plugins/plugin-host.ts).
  ['plugins', 'hot'],
  // Everything else under gateway (port, bind, auth.mode, controlUi.basePath/root, trustedProxies).
  ['gateway', 'restart']
]

export function classifyPath (path: string): ReloadKind {
  let best: readonly [string, ReloadKind] | undefined
  for (const rule of RULES) {
    const [prefix] = rule
    if ((path === prefix || path.startsWith(`${prefix}.`)) && (best === undefined || prefix.length > best[0].length)) best = rule
  }
  return best?.[1] ?? 'restart'
}

export interface ReloadPlan {
  action: 'skip' | 'swap' | 'restart'
  restartPaths: string[]
  hotPaths: string[]
  /** Restart-worthy changes left unapplied (mode hot). */
  ignoredPaths: string[]
}

export function planReload (mode: ReloadMode, paths: readonly string[]): ReloadPlan {
  const restartPaths = paths.filter((p) => classifyPath(p) === 'restart')
  const hotPaths = paths.filter((p) => classifyPath(p) !== 'restart')
  if (mode === 'off' || paths.length === 0) return { action: 'skip', restartPaths, hotPaths, ignoredPaths: [] }
  if (mode === 'restart') return { action: 'restart', restartPaths: [...paths], hotPaths: [], ignoredPaths: [] }
  if (restartPaths.length > 0 && mode === 'hybrid') return { action: 'restart', restartPaths, hotPaths, ignoredPaths: [] }
  return { action: 'swap', restartPaths: [], hotPaths, ignoredPaths: mode === 'hot' ? restartPaths : [] }
}
