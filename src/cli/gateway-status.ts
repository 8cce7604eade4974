// `openclaw gateway status`: the supervisor's view (systemd unit, lock-file
// pid) and the gateway's own (connect probe, read RPC, granted scopes).
// Healthy baseline: `Runtime: running` and `RPC probe: ok`. Without --url/--port it
// probes the port this state dir's running gateway wrote into its lock file.
import type { Argv, CommandModule } from 'yargs'
import { inspectService, type ServiceState } from '../service/gateway-service.js'
import { connectionOptions, localListen, localPortSource, resolveTarget, type ConnectionArgs, type GatewayTarget, type LocalPortSource } from './common/connection.js'
import { gatewayLogFile, loadContext, type CliContext, type GlobalArgs } from './common/context.js'
import { CliError, EXIT_FAIL, EXIT_OK, formatDuration, out, printJson, runCommand } from './common/output.js'
import { probeGateway, type ProbeResult } from './common/probe.js'
import { degradedLines, healthLines } from './common/summaries.js'

interface StatusArgs extends GlobalArgs, ConnectionArgs {
  deep?: boolean
  json?: boolean
  probe?: boolean
  'require-rpc'?: boolean
}

async function gatewayStatus (args: StatusArgs): Promise<number> {
  if (args['require-rpc'] === true && args.probe === false) throw new CliError('--require-rpc cannot be used with --no-probe')
  const ctx = await loadContext(args)
  const service = await inspectService(ctx)
  const port = probePort(ctx, args, service)
  let target: GatewayTarget | undefined
  let targetError: string | undefined
  try { target = await resolveTarget(ctx, { ...args, port: port.port }) } catch (e) { targetError = (e as Error).message }
  const probe = args.probe !== false && target !== undefined ? await probeGateway(ctx, target, { timeoutMs: args.timeout ?? 10_000 }) : undefined
  const report = buildReport(ctx, args, service, target, port, probe, targetError)
  if (args.json === true) printJson(report)
  else printHuman(ctx, args, report, service, probe)
  return args['require-rpc'] === true && probe?.rpc.ok !== true ? EXIT_FAIL : EXIT_OK
}

interface ProbePort {
  /** Passed to resolveTarget as the port (undefined: its own resolution). */
  port: number | undefined
  source: LocalPortSource | 'lock' | 'url'
  /** The port the CLI resolves (`--port` → OPENCLAW_GATEWAY_PORT → gateway.port → default). */
  configured: number | undefined
}

/**
 * A URL (--url, OPENCLAW_GATEWAY_URL) or --port the user gave wins; otherwise, when the gateway
 * from this state dir is alive and its lock names another port, that port: it is where it listens.
 */
function probePort (ctx: CliContext, args: StatusArgs, service: ServiceState): ProbePort {
  let configured: number | undefined
  try { configured = localListen(ctx, args.port).port } catch { configured = undefined }
  const source = localPortSource(ctx, args.port)
  if (args.url !== undefined || (ctx.env.OPENCLAW_GATEWAY_URL ?? '').trim() !== '') return { port: args.port, source: 'url', configured }
  const lockPort = service.lock?.alive === true ? service.lock.port : undefined
  if (source !== 'cli' && lockPort !== undefined && lockPort !== configured && lockPort >= 1 && lockPort <= 65535) {
    return { port: lockPort, source: 'lock', configured }
  }
  return { port: args.port, source, configured }
}

function buildReport (ctx: CliContext, args: StatusArgs, service: ServiceState, target: GatewayTarget | undefined, port: ProbePort, probe: ProbeResult | undefined, targetError: string | undefined) {
  let listen: { port: number, bind: string } | undefined
  try { listen = localListen(ctx, port.port) } catch { listen = undefined }
  const hello = probe?.hello
  return {
    service: {
      manager: service.manager,
      unit: service.unit,
      unitPath: service.unitPath,
      installed: service.installed,
      systemctl: service.systemctl,
      active: service.active,
      enabled: service.enabled,
      runtime: service.runtime,
      runtimeSource: service.runtimeSource,
      pid: service.pid,
      port: service.definition?.port,
      configPath: service.definition?.environment.OPENCLAW_CONFIG_PATH,
      lock: service.lock === undefined ? undefined : { file: service.lock.file, pid: service.lock.pid, port: service.lock.port, alive: service.lock.alive }
    },
    config: {
      path: ctx.paths.configPath,
      exists: ctx.snapshot?.exists ?? true,
      valid: ctx.configError === undefined,
      ...(ctx.configError === undefined ? {} : { error: ctx.configError.message })
    },
    gateway: {
      url: target?.url,
      port: target?.port ?? listen?.port,
      portSource: port.source,
      configuredPort: port.configured,
      bind: target?.urlSource === 'local' ? listen?.bind : undefined,
      version: hello?.server.version,
      connId: hello?.server.connId,
      protocol: hello?.protocol,
      uptimeMs: hello?.snapshot.uptimeMs,
      configReload: field(hello?.snapshot.health, 'configReload'),
      secrets: field(hello?.snapshot.health, 'secrets')
    },
    rpc: probe === undefined
      ? { ok: false, skipped: true, ...(targetError === undefined ? {} : { error: targetError }) }
      : {
          ok: probe.rpc.ok,
          url: probe.url,
          connect: probe.connect,
          ...(probe.rpc.error === undefined ? {} : { error: probe.rpc.error }),
          capability: probe.capability,
          scopes: probe.scopes,
          ...(target?.authWarning === undefined || probe.connect.ok ? {} : { authWarning: target.authWarning })
        },
    logFile: gatewayLogFile(ctx),
    stateDir: ctx.paths.stateDir,
    ...(args.deep === true && probe !== undefined ? { health: probe.health ?? null, status: probe.status ?? null } : {})
  }
}

type Report = ReturnType<typeof buildReport>

function printHuman (ctx: CliContext, args: StatusArgs, r: Report, service: ServiceState, probe: ProbeResult | undefined): void {
  out(`Service: systemd user unit ${service.unit} (${serviceSummary(service)})`)
  if (service.installed) out(`Unit file: ${service.unitPath}`)
  out(`Runtime: ${runtimeLine(service, probe)}`)
  const configNote = ctx.configError !== undefined ? ' (invalid; run `openclaw doctor`)' : ctx.snapshot?.exists === false ? ' (missing)' : ''
  out(`Config (cli): ${ctx.paths.configPath}${configNote}`)
  const serviceConfig = service.definition?.environment.OPENCLAW_CONFIG_PATH
  if (serviceConfig !== undefined && serviceConfig !== ctx.paths.configPath) out(`Config (service): ${serviceConfig}`)
  if (r.gateway.url !== undefined) out(`Gateway: ${r.gateway.url}${r.gateway.bind === undefined ? '' : ` (bind ${r.gateway.bind})`}`)
  if (r.gateway.portSource === 'lock' && r.gateway.url !== undefined) {
    out(`Probed: ${r.gateway.url} (from the running gateway's lock; ${configuredNote(ctx, r.gateway.configuredPort)})`)
  }
  const cliPort = r.gateway.configuredPort ?? r.gateway.port
  if (service.definition?.port !== undefined && cliPort !== undefined && service.definition.port !== cliPort) {
    out(`Note: the service unit runs port ${service.definition.port}, the CLI resolves port ${cliPort} (run \`openclaw doctor\`)`)
  }
  if (service.lock?.alive === true && service.lock.port !== undefined && r.gateway.port !== undefined && service.lock.port !== r.gateway.port) {
    out(`Note: the gateway from this state dir listens on port ${service.lock.port} (lock file); probing port ${r.gateway.port}`)
  }
  if (probe === undefined) {
    out(`Connectivity probe: skipped${args.probe === false ? ' (--no-probe)' : ` (${r.rpc.error ?? 'no target'})`}`)
  } else {
    out(`Connectivity probe: ${probe.connect.ok ? `ok (${formatDuration(probe.connect.latencyMs ?? 0)})` : `failed — ${probe.connect.error ?? 'unknown error'}`}`)
    out(`RPC probe: ${probe.rpc.ok ? 'ok' : `failed${probe.connect.ok ? ` — ${probe.rpc.error ?? 'unknown error'}` : ''}`}`)
    if (probe.capability !== undefined) out(`Capability: ${probe.capability}`)
    if (probe.hello !== undefined) {
      const uptime = probe.hello.snapshot.uptimeMs
      out(`Version: ${probe.hello.server.version}${typeof uptime === 'number' ? ` (up ${formatDuration(uptime)})` : ''}`)
      // Shown without --deep: a gateway serving an older config than the file is the thing to notice.
      if (args.deep !== true) for (const line of degradedLines(probe.hello.snapshot.health)) out(line)
    }
  }
  out(`Log file: ${r.logFile}`)
  if (args.deep === true && probe?.health !== undefined) {
    out('')
    for (const line of healthLines(probe.health)) out(line)
  }
  if (probe?.connect.ok === false && probe.connect.hint !== undefined) {
    out('')
    out(`Hint: ${probe.connect.hint}`)
  }
}

/** A key of a payload that came off the wire, if it is an object. */
function field (payload: unknown, key: string): unknown {
  return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>)[key] : undefined
}

function configuredNote (ctx: CliContext, port: number | undefined): string {
  switch (localPortSource(ctx, undefined)) {
    case 'env': return `OPENCLAW_GATEWAY_PORT says ${port ?? '?'}`
    case 'config': return `config says ${port ?? '?'}`
    default: return `the default is ${port ?? '?'}`
  }
}

function serviceSummary (s: ServiceState): string {
  if (!s.installed) return 'not installed'
  if (!s.systemctl.available) return `installed; state unknown: ${s.systemctl.reason ?? 'systemctl unavailable'}`
  return `installed; ${s.enabled ?? 'unknown'}, ${s.active ?? 'unknown'}`
}

function runtimeLine (s: ServiceState, probe: ProbeResult | undefined): string {
  if (s.runtime === 'stopped') return probe?.connect.ok === true ? 'running (answers on the port; not started from this state dir or service)' : 'stopped'
  const pid = s.pid === undefined ? '' : `pid ${s.pid}, `
  return `running (${pid}${s.runtimeSource === 'systemd' ? 'systemd' : 'lock file'})`
}

export const gatewayStatusCommand: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: 'Show the gateway service state and probe its RPC',
  builder: (y: Argv) => connectionOptions(y, { timeoutDefault: 10_000 })
    .option('deep', { type: 'boolean', description: 'Include health details' })
    .option('json', { type: 'boolean', description: 'Machine-readable output' })
    .option('probe', { type: 'boolean', default: true, description: 'Probe the gateway over WS RPC (--no-probe skips it)' })
    .option('require-rpc', { type: 'boolean', description: 'Exit non-zero unless the read RPC probe succeeds' }) as Argv<StatusArgs>,
  handler: runCommand(gatewayStatus)
}
