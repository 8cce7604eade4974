// An intrusive doubly linked list for short-lived members of long-lived
// collections (open streams, active runs). A Map or Set churned once per
// request keeps departed members reachable for a while: V8 leaves the slots
// of a rehashed table behind in old space, and the scavenger treats them as
// roots until the next full GC, so each finished request's whole object
// graph got promoted (measured on a streamed request: twice the promotion,
// twice the scavenge time, ~+20 µs CPU). Here a member that leaves clears
// the only pointers to it.

/** The fields a member carries; start them as `undefined, undefined, false`. */
export interface Linkable<T> {
  prevLink: T | undefined
  nextLink: T | undefined
  linked: boolean
}

export class LinkedList<T extends Linkable<T>> {
  private head: T | undefined = undefined
  private tail: T | undefined = undefined
  private count = 0

  get size (): number { return this.count }

  add (item: T): void {
    if (item.linked) return
    item.linked = true
    item.prevLink = this.tail
    item.nextLink = undefined
    if (this.tail === undefined) this.head = item
    else this.tail.nextLink = item
    this.tail = item
    this.count++
  }

  delete (item: T): void {
    if (!item.linked) return
    const { prevLink: prev, nextLink: next } = item
    if (prev === undefined) this.head = next
    else prev.nextLink = next
    if (next === undefined) this.tail = prev
    else next.prevLink = prev
    item.prevLink = undefined
    item.nextLink = undefined
    item.linked = false
    this.count--
  }

  /** A snapshot of the members: callers may add or delete while they walk it. */
  toArray (): T[] {
    const out: T[] = []
    for (let item = this.head; item !== undefined; item = item.nextLink) out.push(item)
    return out
  }

  find (test: (item: T) => boolean): T | undefined {
    for (let item = this.head; item !== undefined; item = item.nextLink) if (test(item)) return item
    return undefined
  }

  clear (): void {
    for (const item of this.toArray()) this.delete(item)
  }
}
