// Item ids and `item_reference` inputs. An item id names its response:
// `<kind>_<response hex><o|i><n>` (output or input item n), so a reference
// is one lookup of that response, with no index of items to keep.
import type { ResponsesInputItem, StoredInputItem } from '../../schemas/openai.js'
import { invalidRequest } from './errors.js'
import type { ResponseStore, StoredResponse } from './response-store.js'

export type ItemKind = 'msg' | 'fc' | 'fco'

const ITEM_ID = /^(?:msg|fc|fco)_([0-9a-f]{32})[oi]\d+$/

export function itemId (responseId: string, kind: ItemKind, side: 'o' | 'i', n: number): string {
  return `${kind}_${responseId.slice(5)}${side}${n}`
}

/** The response an item id belongs to, when it is one of ours. */
export function responseOfItem (id: string): string | undefined {
  const m = ITEM_ID.exec(id)
  return m === null ? undefined : `resp_${m[1]!}`
}

/** Whether the input names stored items (`item_reference`), which must be read from the store. */
export function hasReferences (input: string | readonly ResponsesInputItem[]): input is readonly ResponsesInputItem[] {
  return typeof input !== 'string' && input.some((item) => item.type === 'item_reference')
}

/** Replaces every `item_reference` with the stored item it names; a reference we cannot resolve is a 400. */
export async function resolveReferences (input: readonly ResponsesInputItem[], store: ResponseStore): Promise<ResponsesInputItem[]> {
  const out: ResponsesInputItem[] = []
  for (const [i, item] of input.entries()) {
    if (item.type !== 'item_reference') { out.push(item); continue }
    const id = item.id
    const param = `input[${i}].id`
    if (typeof id !== 'string' || id === '') throw invalidRequest(`Missing required parameter: '${param}'.`, param)
    const responseId = responseOfItem(id)
    const record = responseId === undefined ? undefined : await store.get(responseId)
    const found = record === undefined ? undefined : findItem(record, id)
    if (found === undefined) throw invalidRequest(`Item with id '${id}' not found.`, param, 'item_not_found')
    out.push(found as ResponsesInputItem)
  }
  return out
}

function findItem (record: StoredResponse, id: string): object | undefined {
  return record.response.output.find((o) => o.id === id) ?? record.input.find((o) => o.id === id)
}

/** Stored conversations are followed back at most this far. */
const MAX_CHAIN = 1000

/**
 * The conversation up to and including `last`, from the stored records of a
 * chain of stateless responses: each one's input items, then its output.
 * A link that is gone (deleted, expired) ends the history there.
 */
export async function conversationOf (store: ResponseStore, last: StoredResponse): Promise<ResponsesInputItem[]> {
  const records = [last]
  let previous = last.response.previous_response_id
  while (previous !== null && records.length < MAX_CHAIN) {
    const record = await store.get(previous)
    if (record === undefined || record.persisted) break
    records.push(record)
    previous = record.response.previous_response_id
  }
  // Earlier turns keep the fact of an image, not its bytes (as on chat completions).
  return records.reverse().flatMap((r) => [...r.input, ...r.response.output].map((item) => withoutImages(item as ResponsesInputItem)))
}

function withoutImages (item: ResponsesInputItem): ResponsesInputItem {
  if (!Array.isArray(item.content) || !item.content.some((p) => p.type === 'input_image')) return item
  return { ...item, content: item.content.map((p) => (p.type === 'input_image' ? { type: 'input_text', text: '[image]' } : p)) }
}

/** The request's input as stored items: each with an id, in the shapes `input_items` lists. */
export function storedInput (responseId: string, input: string | readonly ResponsesInputItem[]): StoredInputItem[] {
  if (typeof input === 'string') {
    return [{ type: 'message', id: itemId(responseId, 'msg', 'i', 0), role: 'user', status: 'completed', content: [{ type: 'input_text', text: input }] }]
  }
  return input.map((item, n): StoredInputItem => {
    // A resolved reference keeps the id it was stored under.
    if (typeof item.id === 'string' && responseOfItem(item.id) !== undefined) return item as StoredInputItem
    const type = item.type ?? 'message'
    if (type === 'function_call') {
      return { type, id: itemId(responseId, 'fc', 'i', n), call_id: item.call_id, name: item.name, arguments: item.arguments ?? '{}', status: 'completed' }
    }
    if (type === 'function_call_output') return { type, id: itemId(responseId, 'fco', 'i', n), call_id: item.call_id, output: item.output, status: 'completed' }
    if (type !== 'message') return { ...item, type, id: itemId(responseId, 'msg', 'i', n) }
    const content = typeof item.content === 'string'
      ? [{ type: item.role === 'assistant' ? 'output_text' : 'input_text', text: item.content }]
      : (item.content ?? [])
    return { type, id: itemId(responseId, 'msg', 'i', n), role: item.role, status: 'completed', content }
  })
}
