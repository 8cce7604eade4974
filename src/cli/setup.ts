// `openclaw setup`: the state dir (0700) and a minimal config
// `{ gateway: { mode: "local" } }` when there is none. Never touches an existing
// config; `--dev` / `--profile` set up that profile's state dir instead.
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Argv, CommandModule } from 'yargs'
import { loadContext, type GlobalArgs } from './common/context.js'
import { localListen } from './common/connection.js'
import { out, printJson, runCommand } from './common/output.js'

interface SetupArgs extends GlobalArgs {
  json?: boolean
}

const MINIMAL_CONFIG = '// Created by `openclaw setup`. Edit freely (unknown keys are an error).\n{\n  gateway: { mode: "local" },\n}\n'

async function setup (args: SetupArgs): Promise<number> {
  const ctx = await loadContext(args)
  const { stateDir, configPath } = ctx.paths
  const stateExisted = await exists(stateDir)
  await mkdir(stateDir, { recursive: true, mode: 0o700 })
  // mkdir's mode is masked by the umask; the state dir holds credentials.
  if (!stateExisted) await chmod(stateDir, 0o700)
  await mkdir(path.dirname(configPath), { recursive: true, mode: 0o700 })
  let created = false
  try {
    await writeFile(configPath, MINIMAL_CONFIG, { mode: 0o600, flag: 'wx' })
    created = true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
  }
  const mode = created ? 'local' : ctx.config.gateway?.mode
  let port: number | undefined
  try { port = localListen(ctx, undefined).port } catch { port = undefined }
  const prefix = ctx.paths.profile === undefined ? 'openclaw' : ctx.dev ? 'openclaw --dev' : `openclaw --profile ${ctx.paths.profile}`
  if (args.json === true) {
    printJson({ stateDir, configPath, created, stateDirCreated: !stateExisted, profile: ctx.paths.profile ?? null, port, configError: ctx.configError?.message })
    return 0
  }
  out(`State dir: ${stateDir}${stateExisted ? '' : ' (created)'}`)
  out(`Config: ${configPath}${created ? ' (created)' : ' (exists, left unchanged)'}`)
  if (ctx.paths.profile !== undefined) out(`Profile: ${ctx.paths.profile}`)
  if (!created && ctx.configError !== undefined) out(`Warning: the existing config does not load: ${ctx.configError.message}`)
  else if (!created && mode !== 'local') out(`Warning: gateway.mode is ${mode === undefined ? 'not set' : `"${String(mode)}"`}; set gateway.mode to "local" in ${configPath} to run a gateway here`)
  out('')
  out(`Next: \`${prefix} gateway\`${port === undefined ? '' : ` (listens on ws://127.0.0.1:${port})`}, then \`${prefix} status\`.`)
  return 0
}

async function exists (p: string): Promise<boolean> {
  return await stat(p).then(() => true, () => false)
}

export const setupCommand: CommandModule<object, SetupArgs> = {
  command: 'setup',
  describe: 'Create the state dir and a minimal local config',
  builder: (y: Argv) => y.option('json', { type: 'boolean', description: 'Machine-readable output' }) as Argv<SetupArgs>,
  handler: runCommand(setup)
}
