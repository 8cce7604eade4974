// The flags of `openclaw gateway [run]` as data (the yargs command is built from them), and
// a strict parser for the plain case: what `npm start` and the service unit run starts the
// gateway without loading yargs and the other commands (~50 ms of start-up). Anything it
// is not sure of (help, a typo, a repeated flag, a spelling yargs would also accept such as
// `--no-force` or `--allowUnconfigured`) returns undefined and goes to the full CLI.
import { parseArgs } from 'node:util'

export interface RunArgs {
  port?: number
  bind?: string
  token?: string
  password?: string
  auth?: string
  force?: boolean
  verbose?: boolean
  'allow-unconfigured'?: boolean
  dev?: boolean
  profile?: string
}

interface Flag {
  type: 'number' | 'string' | 'boolean'
  choices?: readonly string[]
  description: string
}

/** Flags every command takes. */
export const GLOBAL_FLAGS = {
  dev: { type: 'boolean', description: 'Use the dev profile (~/.openclaw-dev, port 19001)' },
  profile: { type: 'string', description: 'Use a named profile (~/.openclaw-<name>)' }
} as const satisfies Record<string, Flag>

/** Flags of `openclaw gateway` and `openclaw gateway run`. */
export const RUN_FLAGS = {
  port: { type: 'number', description: 'Port to listen on (default 18789; --dev 19001)' },
  bind: { type: 'string', choices: ['loopback', 'lan', 'custom'], description: 'Bind mode (default loopback)' },
  token: { type: 'string', description: 'Shared token clients must present' },
  password: { type: 'string', description: 'Shared password clients must present' },
  auth: { type: 'string', choices: ['none', 'token', 'password'], description: 'Auth mode' },
  force: { type: 'boolean', description: 'Kill whatever listens on the port first' },
  verbose: { type: 'boolean', description: 'Mirror debug logs to stdout' },
  'allow-unconfigured': { type: 'boolean', description: 'Start without a config file (creates a minimal local config)' }
} as const satisfies Record<string, Flag>

const FLAGS: Record<string, Flag> = { ...GLOBAL_FLAGS, ...RUN_FLAGS }
const PARSE_OPTIONS = Object.fromEntries(Object.entries(FLAGS).map(([name, f]) => [name, { type: f.type === 'boolean' ? 'boolean' as const : 'string' as const }]))

/** `gateway [run]` with known flags, each at most once, values yargs reads the same way; else undefined. */
export function parseGatewayRun (argv: string[]): RunArgs | undefined {
  const parsed = tryParse(argv)
  if (parsed === undefined) return undefined
  const [command, sub, ...rest] = parsed.positionals
  if (command !== 'gateway' || (sub !== undefined && sub !== 'run') || rest.length > 0) return undefined
  const args: Record<string, string | number | boolean> = {}
  for (const token of parsed.tokens) {
    if (token.kind === 'option-terminator') return undefined
    if (token.kind !== 'option') continue
    if (token.name in args) return undefined // yargs would collect the repeats into an array
    const flag = FLAGS[token.name]!
    const value = token.value ?? ''
    if (flag.type === 'boolean') args[token.name] = true
    else if (flag.type === 'number' && /^\d{1,5}$/.test(value)) args[token.name] = Number(value)
    else if (flag.type === 'string' && (flag.choices === undefined || flag.choices.includes(value))) args[token.name] = value
    else return undefined
  }
  return args as RunArgs
}

function tryParse (argv: string[]) {
  try {
    return parseArgs({ args: argv, options: PARSE_OPTIONS, strict: true, allowPositionals: true, tokens: true })
  } catch {
    return undefined // an unknown flag, a missing value, `--force=…`: the full CLI explains
  }
}
