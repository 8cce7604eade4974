// The example plugin of docs/plugins.md: an HTTP route behind gateway auth, a
// public one, an RPC method, an agent tool and a health part. Load it with
//   plugins: { load: { paths: ["<checkout>/dist/examples/hello-plugin"] },
//              entries: { hello: { config: { greeting: "Ahoy" } } } }
import { definePlugin, Type } from 'openclaw-gateway'

const Greeting = Type.Object({ message: Type.String() })

export default definePlugin({
  id: 'hello',
  name: 'Hello',
  version: '1.0.0',
  description: 'Greets people over HTTP and RPC, and tells agents the time.',
  configSchema: Type.Object({
    greeting: Type.String({ minLength: 1, default: 'Hello' }),
    timeZone: Type.String({ default: 'UTC' })
  }, { additionalProperties: false }),

  register (ctx) {
    const greet = (name = 'world') => `${ctx.config.greeting}, ${name}!`

    // GET /plugins/hello/greet?name=Ada: needs the gateway token (operator.read by default for GET).
    ctx.http.get('/greet', {
      schema: { querystring: Type.Object({ name: Type.Optional(Type.String({ maxLength: 64 })) }), response: { 200: Greeting } }
    }, async (request) => ({ message: greet(request.query.name) }))

    // GET /plugins/hello/ping: no auth.
    ctx.http.get('/ping', { config: { public: true } }, async () => ({ ok: true, plugin: ctx.id }))

    ctx.methods.add('hello.greet', {
      scope: 'operator.read',
      params: Type.Object({ name: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
      result: Greeting,
      handler: async (params) => ({ message: greet(params.name) })
    })

    ctx.tools.add({
      name: 'hello_time',
      description: 'The current date and time in the configured time zone.',
      parameters: Type.Object({}),
      execute: async (_args, tool) => ({
        content: new Date(tool.now()).toLocaleString('en-GB', { timeZone: ctx.config.timeZone, timeZoneName: 'short' })
      })
    })

    ctx.health.add(() => ({ greeting: ctx.config.greeting }))

    // Runs when the plugin is reloaded or the gateway stops: release timers and sockets here.
    ctx.http.addHook('onClose', async () => { ctx.log.info('hello plugin closed') })
  }
})
