// The Control UI (contract 5): the browser app built into ui/dist, served at
// `/` or `gateway.controlUi.basePath`. Hashed assets are immutable, index.html
// is revalidated; unknown paths get index.html only for HTML navigations. The
// WebSocket upgrades on `/` and the base path stay with ws-rpc (its routes match only upgrades).
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
/** Files at the build's root (ui/public), not hashed: revalidated on each use. */
const ROOT_FILES = ['favicon.svg']
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

  await app.register(staticFiles, { root, base, enabled })

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

interface StaticFilesOptions { root: string, base: string, enabled: () => boolean }

/**
 * The build's files through @fastify/static, in a context of their own. `wildcard: true` makes
 * one route for assets/ with no glob of the build at start-up (a rebuilt UI is served as it is);
 * `preCompressed` sends the .br/.gz copies the build writes. Imported only here, once the UI is
 * registered, so nothing else pays for it.
 */
async function staticFiles (app: FastifyInstance, { root, base, enabled }: StaticFilesOptions) {
  const { default: fastifyStatic } = await import('@fastify/static')
  await app.register(fastifyStatic, {
    root: path.join(root, 'assets'),
    prefix: `${base}/assets/`,
    wildcard: true,
    // Root files below go through reply.sendFile; the decorator stays in this context.
    decorateReply: true,
    preCompressed: true,
    // Hashed names: a given URL never changes, so browsers keep it for a year.
    maxAge: '365d',
    immutable: true,
    index: false,
    dotfiles: 'deny',
    acceptRanges: false,
    allowedPath: () => enabled(),
    // Caches keep one copy per encoding.
    setHeaders: (res) => { res.setHeader('vary', 'accept-encoding') }
  })
  // RFC 9239 names text/javascript; send's table still says application/javascript.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (String(reply.getHeader('content-type')).startsWith('application/javascript')) reply.type('text/javascript; charset=utf-8')
    return payload
  })
  for (const name of ROOT_FILES) {
    app.get(`${base}/${name}`, { schema: { hide: true, tags: ['control-ui'] } }, async (_request, reply) => {
      if (!enabled()) return reply.callNotFound()
      return reply.header('cache-control', 'no-cache').sendFile(name, root, { cacheControl: false })
    })
  }
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
