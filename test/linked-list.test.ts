// The intrusive list behind the engine's active runs and the open event streams.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LinkedList, type Linkable } from '../src/linked-list.js'

class Item implements Linkable<Item> {
  prevLink: Item | undefined = undefined
  nextLink: Item | undefined = undefined
  linked = false
  constructor (readonly name: string) {}
}

const names = (list: LinkedList<Item>) => list.toArray().map((i) => i.name)

test('members keep insertion order; deleting from the head, middle and tail relinks the rest', () => {
  const list = new LinkedList<Item>()
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => new Item(n)) as [Item, Item, Item, Item]
  for (const i of [a, b, c, d]) list.add(i)
  assert.deepEqual(names(list), ['a', 'b', 'c', 'd'])
  list.delete(b)
  assert.deepEqual(names(list), ['a', 'c', 'd'])
  list.delete(a)
  list.delete(d)
  assert.deepEqual(names(list), ['c'])
  assert.equal(list.size, 1)
  // A departed member holds no pointers into the list (nothing keeps its neighbours alive).
  assert.equal(b.prevLink, undefined)
  assert.equal(b.nextLink, undefined)
  assert.equal(b.linked, false)
  list.add(a)
  assert.deepEqual(names(list), ['c', 'a'])
})

test('adding a member twice or deleting a stranger changes nothing', () => {
  const list = new LinkedList<Item>()
  const a = new Item('a')
  list.add(a)
  list.add(a)
  list.delete(new Item('x'))
  assert.equal(list.size, 1)
  assert.deepEqual(names(list), ['a'])
  assert.equal(list.find((i) => i.name === 'a'), a)
  assert.equal(list.find((i) => i.name === 'x'), undefined)
})

test('a snapshot may be walked while members leave, and clear empties the list', () => {
  const list = new LinkedList<Item>()
  const items = ['a', 'b', 'c'].map((n) => new Item(n))
  for (const i of items) list.add(i)
  const seen: string[] = []
  for (const i of list.toArray()) { seen.push(i.name); list.delete(i) }
  assert.deepEqual(seen, ['a', 'b', 'c'])
  assert.equal(list.size, 0)
  for (const i of items) list.add(i)
  list.clear()
  assert.deepEqual(names(list), [])
  assert.ok(items.every((i) => !i.linked))
})
