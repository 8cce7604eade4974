// Shares the config store with every surface.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { ConfigStore } from '../src/config/store.js'

declare module 'fastify' {
  interface FastifyInstance { configStore: ConfigStore }
}

export default fp(async function configPlugin (app: FastifyInstance, opts: { store: ConfigStore }) {
  app.decorate('configStore', opts.store)
}, { name: 'config', fastify: '5.x' })
