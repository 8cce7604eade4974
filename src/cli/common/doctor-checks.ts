// The checks behind `openclaw doctor`, each returning ok / warn / fail with
// the one line an operator needs. Repairs (`--fix`) are limited to what is
// safe to do blind: permissions, a generated token, rewriting our own unit.
import { access, chmod, constants, stat } from 'node:fs/promises'
import { ensureGeneratedToken, readGeneratedToken, tokenFile } from '../../config/state.js'
import { findListeningPids } from '../../force.js'
import { identityFile } from '../../client/device-identity.js'
import { desiredUnit, inspectService, writeUnitFile } from '../../service/gateway-service.js'
import { findSystemctl, userCommand } from '../../service/systemctl.js'
import { localListen, resolveTarget } from './connection.js'
import type { CliContext } from './context.js'
import { probeGateway } from './probe.js'

export type CheckStatus = 'ok' | 'warn' | 'fail'
export interface Check { id: string, status: CheckStatus, message: string, fixed?: boolean, hint?: string }
export interface DoctorOptions { fix: boolean, generateToken: boolean, timeoutMs: number, entry: string }

const ok = (id: string, message: string, extra: Partial<Check> = {}): Check => ({ id, status: 'ok', message, ...extra })
const warn = (id: string, message: string, hint?: string): Check => ({ id, status: 'warn', message, ...(hint === undefined ? {} : { hint }) })
const fail = (id: string, message: string, hint?: string): Check => ({ id, status: 'fail', message, ...(hint === undefined ? {} : { hint }) })

export function configChecks (ctx: CliContext): Check[] {
  const file = ctx.paths.configPath
  if (ctx.configError !== undefined) return [fail('config', ctx.configError.message, 'fix the file, then re-run `openclaw doctor`')]
  if (ctx.snapshot?.exists !== true) return [fail('config', `no config file at ${file}`, 'run `openclaw setup` (or start with `openclaw gateway --allow-unconfigured`)')]
  const checks = [ok('config', `${file} loads and validates`)]
  for (const w of ctx.snapshot.warnings) checks.push(warn('config', w))
  const mode = ctx.config.gateway?.mode
  if (mode === 'local') checks.push(ok('gateway.mode', 'gateway.mode is "local"'))
  else if (mode === undefined) checks.push(fail('gateway.mode', 'gateway.mode is missing: the gateway refuses to start', 'set gateway.mode to "local" (or run `openclaw setup` on a fresh state dir)'))
  else checks.push(fail('gateway.mode', `Gateway start blocked: set gateway.mode=local (current: ${mode})`))
  const reload = ctx.config.gateway?.reload?.mode
  if (reload === 'hot' || reload === 'restart') checks.push(warn('gateway.reload', `gateway.reload.mode "${reload}" is retired; "hybrid" (the default) hot-applies safe changes and restarts for the rest`))
  return checks
}

export async function permissionChecks (ctx: CliContext, opts: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = []
  const dir = ctx.paths.stateDir
  const st = await stat(dir).catch(() => undefined)
  if (st === undefined) return [warn('state-dir', `${dir} does not exist yet (created on first start or by \`openclaw setup\`)`)]
  checks.push(await modeCheck('state-dir', dir, 0o700, opts.fix))
  const credentialsDir = `${dir}/credentials`
  if (await exists(credentialsDir)) checks.push(await modeCheck('credentials-dir', credentialsDir, 0o700, opts.fix))
  const configured = ctx.config.gateway?.auth?.token !== undefined || (ctx.env.OPENCLAW_GATEWAY_TOKEN ?? '') !== ''
  const file = tokenFile(dir)
  let generated = false
  if (opts.generateToken && !configured && await readGeneratedToken(dir) === undefined) {
    await ensureGeneratedToken(dir)
    generated = true
  }
  if (await exists(file)) {
    const check = await modeCheck('token-file', file, 0o600, opts.fix)
    checks.push(generated ? { ...check, message: `generated a gateway token in ${file} (mode 0600)`, fixed: true } : check)
    if (configured) checks.push(warn('token-file', `${file} is ignored: a token is configured (gateway.auth.token / OPENCLAW_GATEWAY_TOKEN)`))
  } else if (configured) {
    checks.push(ok('token', 'a gateway token is configured (gateway.auth.token / OPENCLAW_GATEWAY_TOKEN)'))
  } else if (ctx.config.gateway?.auth?.mode === 'password' || ctx.config.gateway?.auth?.mode === 'none') {
    checks.push(ok('token', `auth mode is ${ctx.config.gateway.auth.mode}; no token needed`))
  } else {
    checks.push(warn('token', `no gateway token yet at ${file}; the gateway generates one on first start`, 'or run `openclaw doctor --generate-gateway-token` now'))
  }
  if (await exists(identityFile(dir))) checks.push(await modeCheck('device-identity', identityFile(dir), 0o600, opts.fix))
  if (typeof ctx.config.gateway?.auth?.token === 'string' || typeof ctx.config.gateway?.auth?.password === 'string') {
    checks.push(await modeCheck('config-secrets', ctx.paths.configPath, 0o600, opts.fix, 'holds an inline gateway secret'))
  }
  return checks
}

/** Port free, or held by our gateway; then the gateway answers and its health is ok. */
export async function gatewayChecks (ctx: CliContext, opts: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = []
  let port: number
  try { port = localListen(ctx, undefined).port } catch (e) { return [fail('port', (e as Error).message)] }
  const service = await inspectService(ctx)
  const lockPid = service.lock?.alive === true ? service.lock.pid : undefined
  const holders = await findListeningPids(port)
  const target = await resolveTarget(ctx, {})
  const probe = await probeGateway(ctx, target, { timeoutMs: opts.timeoutMs })
  const ours = holders.length > 0 && holders.every((p) => p === lockPid || p === service.mainPid)
  const pids = holders.length === 0 ? '' : ` (pid ${holders.join(', ')})`
  if (probe.connect.code === 'UNREACHABLE') {
    if (holders.length > 0) return [fail('port', `port ${port} is held${pids} but ${target.url} refuses connections`, 'check gateway.bind / --port')]
    checks.push(ok('port', `port ${port} is free`))
    checks.push(warn('gateway', `gateway is not running (${target.url})`, `start it with \`${ctx.dev ? 'openclaw --dev gateway' : 'openclaw gateway'}\``))
    return checks
  }
  if (probe.connect.code === 'PROTOCOL') {
    return [fail('port', `port ${port} is held by another process${pids} that is not an OpenClaw gateway`, 'stop it, pick another gateway.port, or start with `openclaw gateway --force`')]
  }
  checks.push(ok('port', `port ${port} is held by ${ours ? `this state dir's gateway${pids}` : holders.length > 0 ? `a gateway${pids} not started from ${ctx.paths.stateDir}` : 'a gateway'}`))
  if (!probe.connect.ok) {
    checks.push(fail('gateway', probe.connect.error ?? 'connect failed', probe.connect.hint))
    return checks
  }
  checks.push(ok('gateway', `gateway ${probe.hello?.server.version ?? ''} answers at ${target.url} (${probe.capability ?? 'unknown capability'})`.replace('  ', ' ')))
  const healthy = (probe.health as { ok?: unknown } | undefined)?.ok === true
  checks.push(healthy ? ok('health', 'health ok') : fail('health', 'RPC health did not report ok'))
  return checks
}

/** The installed unit still matches this CLI: port, entry script, node, config path. */
export async function serviceChecks (ctx: CliContext, opts: DoctorOptions): Promise<Check[]> {
  const service = await inspectService(ctx)
  if (!service.installed) return [ok('service', `no systemd unit installed (${service.unitPath}); optional: \`openclaw gateway install\``)]
  const def = service.definition!
  let port: number | undefined
  try { port = localListen(ctx, undefined).port } catch { port = undefined }
  const drift: string[] = []
  if (def.port !== undefined && port !== undefined && def.port !== port) drift.push(`port ${def.port} in the unit ≠ ${port} from the config`)
  const [node, entry] = def.execStart ?? []
  if (node === undefined || !await executable(node)) drift.push(`node ${node ?? '(none)'} is missing`)
  if (entry === undefined || !await exists(entry)) drift.push(`entry script ${entry ?? '(none)'} is missing`)
  const unitConfig = def.environment.OPENCLAW_CONFIG_PATH
  if (unitConfig !== undefined && unitConfig !== ctx.paths.configPath) drift.push(`the unit uses config ${unitConfig}, the CLI ${ctx.paths.configPath}`)
  if (drift.length === 0) return [ok('service', `${service.unitPath} matches the config`)]
  if (!opts.fix) return [warn('service', `service unit drift: ${drift.join('; ')}`, 'run `openclaw doctor --fix` or `openclaw gateway install --force`')]
  await writeUnitFile(service.unitPath, desiredUnit(ctx, { node: process.execPath, entry: opts.entry, port: port ?? def.port ?? 18789, version: ctx.version }))
  const systemctl = await findSystemctl(ctx.env)
  const reload = systemctl.available ? await systemctl.run(['daemon-reload']) : undefined
  const next = `${reload?.code === 0 ? '' : `${userCommand(['daemon-reload'])} && `}${userCommand(['restart', service.unit])}`
  return [{ id: 'service', status: 'ok', message: `rewrote ${service.unitPath} (${drift.join('; ')})`, fixed: true, hint: `apply it with \`${next}\`` }]
}

async function modeCheck (id: string, file: string, expected: number, fix: boolean, why = ''): Promise<Check> {
  const st = await stat(file)
  const mode = st.mode & 0o777
  const loose = (mode & ~expected & 0o077) !== 0
  const label = `${file}${why === '' ? '' : ` (${why})`}`
  if (!loose) return ok(id, `${label} is mode ${octal(mode)}`)
  if (!fix) return (id === 'token-file' || id === 'config-secrets' || id === 'device-identity' ? fail : warn)(id, `${label} is mode ${octal(mode)}, expected ${octal(expected)}`, 'run `openclaw doctor --fix`')
  await chmod(file, expected)
  return ok(id, `${label}: mode ${octal(mode)} → ${octal(expected)}`, { fixed: true })
}

const octal = (m: number) => `0${m.toString(8).padStart(3, '0')}`
const exists = async (p: string) => await stat(p).then(() => true, () => false)
const executable = async (p: string) => await access(p, constants.X_OK).then(() => true, () => false)
