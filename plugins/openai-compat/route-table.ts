// The methods each path of this surface answers, collected as routes are
// added, so the not-found handler can tell a wrong method (405 + Allow) from
// an unknown path (404).
import type { FastifyInstance, HTTPMethods } from 'fastify'

interface Entry { pattern: RegExp, methods: Set<string> }

function compile (url: string): RegExp {
  const source = url
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) => (segment === '*' ? '.*' : segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/')
  return new RegExp(`^${source}/?$`)
}

export function routeTable (app: FastifyInstance): { methodsFor: (path: string) => string[] } {
  const entries = new Map<string, Entry>()
  app.addHook('onRoute', (route) => {
    const methods = ([] as HTTPMethods[]).concat(route.method)
    // The CORS preflight route (`OPTIONS /v1/*`) matches every path; it is no evidence a path exists.
    if (route.url.endsWith('*') && methods.every((m) => m === 'OPTIONS')) return
    const entry = entries.get(route.url) ?? { pattern: compile(route.url), methods: new Set<string>() }
    for (const m of methods) entry.methods.add(m)
    entries.set(route.url, entry)
  })
  return {
    methodsFor (path) {
      const found = new Set<string>()
      for (const e of entries.values()) if (e.pattern.test(path)) for (const m of e.methods) found.add(m)
      return [...found].sort()
    }
  }
}
