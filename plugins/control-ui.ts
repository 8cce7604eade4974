// The Control UI (contract 5): the browser app built into ui/dist, served at
// `/` or `gateway.controlUi.basePath`. Hashed assets are immutable, index.html
// is revalidated; unknown paths get index.html only for HTML navigations. The
// WebSocket upgrade on `/` stays with ws-rpc (its route only matches upgrades).
// `gateway.controlUi.enabled` is read per request; basePath and root need a restart.
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { addHeaderConstraint } from '../src/http/header-constraint.js'
import { packageRoot } from '../src/package-info.js'
import { CONTROL_UI_HEADERS, isHtmlNavigation, normalizeBasePath, rewriteIndex } from '../src/http/control-ui.js'

export interface ControlUiOptions {
  /** The built UI directory; default `gateway.controlUi.root`, else the package's ui/dist. */
  root?: string
}

const HTML_CONSTRAINT = 'acceptsHtml'
const IMMUTABLE = 'public, max-age=31536000, immutable'
/** Paths other surfaces own: an HTML navigation there is a 404, not the app. */
const RESERVED = ['/v1/', '/tools/', '/hooks/', '/__openclaw__/']

const ControlUiConfig = Type.Object({
  basePath: Type.String(),
  assistantName: Type.String(),
  assistantAgentId: Type.Optional(Type.String()),
  serverVersion: Type.String(),
  embedSandbox: Type.String(),
  allowExternalEmbedUrls: Type.Boolean(),
  automaticallyFetchFavicons: Type.Boolean(),
  communityInvite: Type.Boolean(),
  terminalEnabled: Type.Boolean(),
  cliAgentsEnabled: Type.Boolean(),
  pluginAssetsRequireAuth: Type.Boolean(),
  pluginFrameGrants: Type.Array(Type.Unknown())
})

export default async function controlUi (app: FastifyInstance, opts: ControlUiOptions) {
  const settings = app.configStore.config.gateway?.controlUi
  const base = normalizeBasePath(settings?.basePath)
  const root = resolveRoot(settings?.root, opts.root, app.gateway.paths.configPath)
  const enabled = () => app.configStore.config.gateway?.controlUi?.enabled !== false
  const index = indexCache(path.join(root, 'index.html'), base)

  const serveFile = fileSender(root, base)
  // Routes constrained with { acceptsHtml: 'yes' } match only requests whose Accept names text/html.
  addHeaderConstraint(app, HTML_CONSTRAINT, (h) => isHtmlNavigation(h.accept) ? 'yes' : undefined)
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(CONTROL_UI_HEADERS)
    done()
  })

  const serveIndex = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!enabled()) return reply.callNotFound()
    const html = await index()
    if (html === undefined) {
      request.log.warn({ root }, 'control ui assets missing')
      return reply.status(503).header('retry-after', '1').type('text/plain; charset=utf-8')
        .send(`Control UI assets not found at ${root}. Run \`npm run build\`, or point gateway.controlUi.root at a built UI.`)
    }
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html)
  }
  const route = { schema: { hide: true, tags: ['control-ui'] } }

  app.get(base === '' ? '/' : base, route, serveIndex)
  app.get(`${base}/index.html`, route, serveIndex)

  app.get(`${base}/assets/*`, route, async (request, reply) => {
    if (!enabled()) return reply.callNotFound()
    // Hashed names: a given URL never changes, so browsers keep it for a year.
    return await serveFile(request, reply, IMMUTABLE)
  })
  app.get(`${base}/favicon.svg`, route, async (request, reply) => {
    if (!enabled()) return reply.callNotFound()
    return await serveFile(request, reply, 'no-cache')
  })

  // Bootstrap facts for the UI; read auth, like every other gateway read.
  const configUrls = [`${base}/control-ui-config.json`, `${base}/__openclaw/control-ui-config.json`, ...(base === '' ? ['/__openclaw__/control-ui-config.json'] : [])]
  for (const url of configUrls) {
    app.get(url, { onRequest: app.httpAuth('operator.read'), schema: { hide: true, tags: ['control-ui'], response: { 200: ControlUiConfig } } }, async (_request, reply) => {
      if (!enabled()) return reply.callNotFound()
      const agent = defaultAgent(app)
      return reply.header('cache-control', 'no-store').send({
        basePath: base,
        assistantName: agent?.name ?? 'Assistant',
        ...(agent !== undefined ? { assistantAgentId: agent.id } : {}),
        serverVersion: app.gateway.version,
        // What we have no feature behind reads as "off".
        embedSandbox: 'strict',
        allowExternalEmbedUrls: false,
        automaticallyFetchFavicons: false,
        communityInvite: false,
        terminalEnabled: false,
        cliAgentsEnabled: false,
        pluginAssetsRequireAuth: true,
        pluginFrameGrants: []
      })
    })
  }

  // Deep links (`/chat`, a reload on any client route): the app, for HTML navigations only.
  app.route({
    method: 'GET',
    url: `${base}/*`,
    constraints: { [HTML_CONSTRAINT]: 'yes' },
    schema: { hide: true, tags: ['control-ui'] },
    handler: async (request, reply) => {
      const url = request.url.split('?')[0]!
      if (RESERVED.some((p) => url.startsWith(p)) || url.startsWith(`${base}/assets/`)) return reply.callNotFound()
      return await serveIndex(request, reply)
    }
  })
}

/** `gateway.controlUi.root` (relative to the config file), else the option, else the package's ui/dist. */
function resolveRoot (configured: string | undefined, option: string | undefined, configPath: string): string {
  if (configured !== undefined) return path.resolve(path.dirname(configPath), configured)
  if (option !== undefined) return option
  return path.join(packageRoot() ?? process.cwd(), 'ui', 'dist')
}

type Send = typeof import('@fastify/send')

/**
 * Files under `root` by their URL path below the base path (@fastify/send: types, ETag,
 * traversal and dotfile refusal). Loaded on the first asset request: importing it costs
 * ~40 ms of start-up that a gateway nobody browses never needs.
 */
function fileSender (root: string, base: string) {
  let loading: Promise<Send> | undefined
  return async (request: FastifyRequest, reply: FastifyReply, cacheControl: string) => {
    loading ??= import('@fastify/send').then((m) => ((m as { default?: Send }).default ?? m) as Send)
    const send = await loading
    // The raw (still encoded) path: send decodes it once.
    const urlPath = request.raw.url!.split('?')[0]!.slice(base.length)
    const options = { root, dotfiles: 'deny' as const, index: false as const, cacheControl: false, acceptRanges: false }
    // The build writes .br and .gz beside each script and stylesheet.
    const encoding = /\.(js|css)$/.test(urlPath) ? preferredEncoding(request.headers['accept-encoding']) : undefined
    if (encoding !== undefined) {
      const packed = await send(request.raw, `${urlPath}.${encoding === 'br' ? 'br' : 'gz'}`, options)
      if (packed.type === 'file') {
        reply.header('content-encoding', encoding).header('vary', 'accept-encoding')
        return reply.status(packed.statusCode).headers(packed.headers).type(urlPath.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8')
          .header('cache-control', cacheControl).send(packed.stream)
      }
      packed.stream.destroy()
    }
    const result = await send(request.raw, urlPath, options)
    if (result.type !== 'file') {
      result.stream.destroy()
      return reply.callNotFound()
    }
    return reply.status(result.statusCode).headers(result.headers).header('cache-control', cacheControl).send(result.stream)
  }
}

function preferredEncoding (accept: string | string[] | undefined): 'br' | 'gzip' | undefined {
  const value = Array.isArray(accept) ? accept.join(',') : (accept ?? '')
  if (/\bbr\b/.test(value)) return 'br'
  if (/\bgzip\b/.test(value)) return 'gzip'
  return undefined
}

/** index.html rewritten for the base path; re-read when the file changes (a rebuilt UI). */
function indexCache (file: string, base: string): () => Promise<string | undefined> {
  let cached: { mtimeMs: number, html: string } | undefined
  return async () => {
    try {
      const { mtimeMs } = await stat(file)
      if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, html: rewriteIndex(await readFile(file, 'utf8'), base) }
      return cached.html
    } catch {
      cached = undefined
      return undefined
    }
  }
}

function defaultAgent (app: FastifyInstance): { id: string, name: string } | undefined {
  try {
    const catalog = app.agents.catalog()
    const agent = catalog.agents.find((a) => a.id === catalog.defaultId) ?? catalog.agents[0]
    return agent !== undefined ? { id: agent.id, name: agent.identity.name ?? agent.name } : undefined
  } catch {
    return undefined
  }
}
