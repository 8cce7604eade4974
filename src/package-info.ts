// Facts about the installed package: its version and the `openclaw` entry script.
// The code runs from two layouts, tsc's `dist/src/**` and the bundle `dist/openclaw.mjs`
// (plus `dist/chunks/*`), so paths are found by walking up to package.json rather than
// by a fixed number of `../`.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const NAME = 'openclaw-gateway'

interface PackageJson { name?: string, version?: string, bin?: Record<string, string> }

interface Found { root: string, pkg: PackageJson }

/** The nearest package.json named openclaw-gateway above this module, if any. */
function findPackage (): Found | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const file = path.join(dir, 'package.json')
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as PackageJson
        if (pkg.name === NAME) return { root: dir, pkg }
      } catch {} // unreadable or not JSON: not ours, keep looking
    }
    const up = path.dirname(dir)
    if (up === dir) return undefined
    dir = up
  }
}

/** The package version, read at start-up from package.json. */
export function readVersion (): string {
  return findPackage()?.pkg.version ?? '0.0.0'
}

/**
 * Absolute path of the shipped `openclaw` script (package.json `bin.openclaw`), for the
 * service unit's ExecStart. Falls back to the script this process runs.
 */
export function cliEntry (): string {
  const found = findPackage()
  const bin = found?.pkg.bin?.openclaw
  return found !== undefined && bin !== undefined ? path.join(found.root, bin) : path.resolve(process.argv[1] ?? '')
}

/** The installed package's root directory (where `ui/dist` is built), if found. */
export function packageRoot (): string | undefined {
  return findPackage()?.root
}
