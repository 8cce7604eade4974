// The methods each path answers, collected from every route as it is added
// (the hook sits at the root), so a not-found handler can tell a wrong method
// (405 + Allow) from an unknown path (404), whichever plugin owns the route.
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

export interface RouteTable { methodsFor: (path: string) => string[] }

export function routeTable (app: FastifyInstance): RouteTable {
  const entries = new Map<string, Entry>()
  app.addHook('onRoute', (route) => {
    const methods = ([] as HTTPMethods[]).concat(route.method)
    // The CORS preflight route (`OPTIONS /v1/*`) and the Control UI's HTML fallback (`GET /*`, constrained
    // to browser navigations) match every path; neither is evidence a path exists.
    if (route.url.endsWith('*') && (methods.every((m) => m === 'OPTIONS') || route.constraints !== undefined)) return
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
