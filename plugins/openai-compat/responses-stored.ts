// The stored side of the Responses API: retrieve, delete, list a response's
// input items (cursor-paged like OpenAI's), and cancel, which only a
// background response could be, and this gateway runs none in the background.
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { DeletedResponse, ErrorResponses, InputItemList, InputItemsQuery, ResponseIdParams, ResponseObject, type StoredInputItem } from '../../schemas/openai.js'
import { endpointGate } from './endpoints.js'
import { invalidRequest, notFound } from './errors.js'
import type { ResponseStore, StoredResponse } from './response-store.js'
import { formatSchemaErrors } from './validation.js'
import { SCOPE_READ, SCOPE_WRITE } from '../../src/rpc/scopes.js'

const LIMIT_MESSAGE = { limit: "Invalid 'limit': expected an integer from 1 to 100." }

const schema = <T>(summary: string, ok: T) => ({
  tags: ['openai'],
  summary,
  params: ResponseIdParams,
  response: { 200: ok, ...ErrorResponses }
})

export default async function storedResponsesRoutes (parent: FastifyInstance, opts: { store: ResponseStore }) {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const read = [app.httpAuth(SCOPE_READ), endpointGate(app, 'responses')]
  const write = [app.httpAuth(SCOPE_WRITE), endpointGate(app, 'responses')]
  const find = async (id: string): Promise<StoredResponse> => {
    const record = await opts.store.get(id)
    if (record === undefined) throw notFound(`Response with id '${id}' not found.`, 'response_not_found')
    return record
  }

  app.get('/responses/:id', { onRequest: read, schema: schema('Retrieve a stored response', ResponseObject) },
    async (request) => (await find(request.params.id)).response)

  app.delete('/responses/:id', { onRequest: write, schema: schema('Delete a stored response', DeletedResponse) }, async (request) => {
    const { id } = request.params
    if (!await opts.store.delete(id)) throw notFound(`Response with id '${id}' not found.`, 'response_not_found')
    return { id, object: 'response' as const, deleted: true as const }
  })

  app.get('/responses/:id/input_items', {
    onRequest: read,
    schemaErrorFormatter: formatSchemaErrors(LIMIT_MESSAGE),
    schema: { ...schema('List the input items of a stored response', InputItemList), querystring: InputItemsQuery }
  }, async (request) => {
    const record = await find(request.params.id)
    const q = request.query
    return page(record.input, q.order ?? 'desc', q.limit === undefined ? 20 : Number(q.limit), q.after)
  })

  app.post('/responses/:id/cancel', { onRequest: write, schema: schema('Cancel a background response (none exist here)', ResponseObject) }, async (request) => {
    await find(request.params.id)
    throw invalidRequest('Only background responses can be cancelled, and this gateway does not run responses in the background.', null, 'unsupported_background')
  })
}

function page (items: readonly StoredInputItem[], order: 'asc' | 'desc', limit: number, after: string | undefined): InputItemList {
  const ordered = order === 'asc' ? items : [...items].reverse()
  let start = 0
  if (after !== undefined) {
    const at = ordered.findIndex((item) => item.id === after)
    if (at === -1) throw invalidRequest(`Item with id '${after}' is not an input item of this response.`, 'after', 'item_not_found')
    start = at + 1
  }
  const data = ordered.slice(start, start + limit)
  return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: start + limit < ordered.length }
}
