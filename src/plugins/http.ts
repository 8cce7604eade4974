// A plugin's own Fastify instance (one per plugin per load, never listening):
// the gateway's `/plugins/*` route hands it the raw request, so streaming
// replies work, and a reload closes it (its onClose hooks run) and builds a
// new one. Routes get gateway auth unless they declare `config.public`.
import type { IncomingMessage, ServerResponse } from 'node:http'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type onRequestHookHandler } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { codeOf, openAiError } from '../http/openai-error.js'
import { SCOPE_READ, SCOPE_WRITE } from '../rpc/scopes.js'
import type { PluginHttp } from '../plugin-api.js'

export interface PluginHttpOptions {
  log: FastifyBaseLogger
  /** The gateway's onRequest auth hook for a scope (app.httpAuth). */
  auth: (scope: string) => onRequestHookHandler
  trustProxy: string[] | false
  /** A route that has not started answering by then gets 504. */
  timeoutMs: number
  /** register() and the Fastify plugins it registers must finish within this (default 10 s). */
  registerTimeoutMs?: number
}

export interface PluginServer {
  readonly instance: PluginHttp
  /** `METHOD /path` of every route the plugin added (HEAD twins left out). */
  readonly routes: string[]
  /** Serves one raw request (already authenticated as far as the gateway goes: not at all). */
  handle: (req: IncomingMessage, res: ServerResponse) => void
  /** Waits (up to graceMs) for requests in flight, then closes the instance. */
  close: (graceMs: number) => Promise<void>
}

export function createPluginServer (opts: PluginHttpOptions): PluginServer {
  const instance = Fastify({
    loggerInstance: opts.log,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: opts.trustProxy,
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true } },
    // A register() that never finishes fails the plugin instead of hanging the gateway.
    pluginTimeout: opts.registerTimeoutMs ?? 10_000
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as PluginHttp

  const routes: string[] = []
  instance.addHook('onRoute', (route) => {
    const methods = ([] as string[]).concat(route.method)
    if (!methods.every((m) => m === 'HEAD')) routes.push(`${methods.join(',')} ${route.url}`)
    if (route.config?.public === true) return
    const scope = route.config?.scope ?? (methods.every((m) => m === 'GET' || m === 'HEAD') ? SCOPE_READ : SCOPE_WRITE)
    route.onRequest = [opts.auth(scope), ...([] as onRequestHookHandler[]).concat(route.onRequest ?? [])]
  })
  // The gateway's envelope; a plugin's own error message stays in the log for 5xx.
  instance.setErrorHandler((err: FastifyError, request, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500
    if (status >= 500) request.log.error({ err }, 'plugin route failed')
    const message = status >= 500 && err.code?.startsWith('GW_ERR_') !== true ? 'internal error' : err.message
    return reply.status(status).send(openAiError(status, message, { code: codeOf(err) }))
  })
  instance.setNotFoundHandler(async (_request, reply) => await reply.status(404).type('text/plain; charset=utf-8').send('Not Found'))

  let inflight = 0
  let drained: (() => void) | undefined
  return {
    instance,
    routes,
    handle (req, res) {
      inflight++
      const timer = setTimeout(() => {
        if (res.headersSent || res.writableEnded) return
        opts.log.warn({ url: req.url, timeoutMs: opts.timeoutMs }, 'plugin route did not answer in time')
        res.writeHead(504, { 'content-type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify(openAiError(504, 'plugin route timed out', { code: 'timeout' })))
      }, opts.timeoutMs)
      res.once('close', () => {
        clearTimeout(timer)
        if (--inflight === 0) drained?.()
      })
      instance.routing(req, res)
    },
    async close (graceMs) {
      if (inflight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs)
          drained = () => { clearTimeout(timer); resolve() }
        })
      }
      await instance.close()
    }
  }
}
