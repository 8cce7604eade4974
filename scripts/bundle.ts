// `node dist/scripts/bundle.js`: links tsc's output (dist/src/cli/index.js) and its
// dependencies into the shipped entry, dist/openclaw.mjs, and the chunks it imports
// (dist/chunks/; every dynamic import() gets its own, loaded only when it runs). Loading
// ~1,000 module files was half of start-up; the gateway now starts from three files.
// Source maps chain back to the TypeScript (run with `node --enable-source-maps` to use them).
import { readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'

const root = fileURLToPath(new URL('../..', import.meta.url))

/**
 * CommonJS dependencies that read their own files through `__dirname` at run time. An ESM
 * bundle has no `__dirname`, so theirs is pointed back into node_modules, resolved when the
 * bundle runs (wherever npm placed the package).
 */
const READS_OWN_FILES = ['@fastify/swagger-ui']

function ownDirname (packages: string[]): Plugin {
  const escaped = packages.map((p) => p.replace(/[/.]/g, '\\$&')).join('|')
  return {
    name: 'own-dirname',
    setup (b) {
      b.onLoad({ filter: new RegExp(`node_modules/(${escaped})/.*\\.js$`) }, async (args) => {
        const [, pkg, rel] = new RegExp(`node_modules/(${escaped})/(.*)$`).exec(args.path)!
        const source = await readFile(args.path, 'utf8')
        if (!source.includes('__dirname')) return undefined
        const dir = path.posix.dirname(rel!)
        const dirname = `require('node:path').join(require('node:path').dirname(require.resolve(${JSON.stringify(`${pkg}/package.json`)})), ${JSON.stringify(dir)})`
        return { contents: `var __dirname = ${dirname};\n${source}`, loader: 'js', resolveDir: path.dirname(args.path) }
      })
    }
  }
}

/**
 * @fastify/static requires `glob` at load, but calls it only to list files at register time when
 * `wildcard: false`; the Control UI uses `wildcard: true`. Requiring it on first call instead keeps
 * glob's module bodies (most of that chunk) out of every start-up. Fails the build if the line moves.
 */
function lazyStaticGlob (): Plugin {
  const line = "const { glob } = require('glob')"
  return {
    name: 'lazy-static-glob',
    setup (b) {
      b.onLoad({ filter: /node_modules\/@fastify\/static\/index\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8')
        if (!source.includes(line)) throw new Error(`${args.path}: "${line}" not found; update lazyStaticGlob in scripts/bundle.ts`)
        return { contents: source.replace(line, "const glob = (...args) => require('glob').glob(...args)"), loader: 'js', resolveDir: path.dirname(args.path) }
      })
    }
  }
}

// Chunk names carry a content hash: drop the previous build's so none go stale.
await rm(path.join(root, 'dist/chunks'), { recursive: true, force: true })

const result = await build({
  absWorkingDir: root,
  entryPoints: { openclaw: 'dist/src/cli/index.js' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Bundled CommonJS packages call require() for Node built-ins; an ESM file has none of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [ownDirname(READS_OWN_FILES), lazyStaticGlob()],
  metafile: true,
  logLevel: 'warning'
})

const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.mjs'))
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} kB`
for (const [file, out] of outputs) process.stdout.write(`${file.padEnd(40)} ${kb(out.bytes).padStart(8)}\n`)
