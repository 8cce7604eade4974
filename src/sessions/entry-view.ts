/**
 * A session entry read field by field from the live index, for `list` filters:
 * building a full copy of every entry would cost ~100 ms per list at 100,000
 * sessions, and a filter usually reads one or two fields. One view is moved
 * from slot to slot (`at`), so a list allocates nothing per session.
 */
import type { SessionIndex } from './session-index.js'
import type { SessionEntry } from './types.js'

export class EntryView implements SessionEntry {
  private slot = 0
  constructor (private readonly index: SessionIndex) {}
  at (slot: number): this {
    this.slot = slot
    return this
  }

  get key (): string { return this.index.keyAt(this.slot) }
  get agentId (): string { return this.index.fieldAt(this.slot, 'agentId') }
  get sessionId (): string { return this.index.sessionIdAt(this.slot) }
  get createdAt (): number { return this.index.numberAt(this.slot, 'createdAt') }
  get updatedAt (): number { return this.index.updatedAt(this.slot) }
  get messageCount (): number { return this.index.numberAt(this.slot, 'messageCount') }
  get inputTokens (): number { return this.index.numberAt(this.slot, 'inputTokens') }
  get outputTokens (): number { return this.index.numberAt(this.slot, 'outputTokens') }
  get totalTokens (): number { return this.index.numberAt(this.slot, 'totalTokens') }
  get label (): string | undefined { return this.index.fieldAt(this.slot, 'label') }
  get displayName (): string | undefined { return this.index.fieldAt(this.slot, 'displayName') }
  get model (): string | undefined { return this.index.fieldAt(this.slot, 'model') }
  get modelProvider (): string | undefined { return this.index.fieldAt(this.slot, 'modelProvider') }
  get thinkingLevel (): string | undefined { return this.index.fieldAt(this.slot, 'thinkingLevel') }
  get archived (): boolean | undefined { return this.index.fieldAt(this.slot, 'archived') }
  get pinned (): boolean | undefined { return this.index.fieldAt(this.slot, 'pinned') }
  get lastMessagePreview (): string | undefined { return this.index.fieldAt(this.slot, 'lastMessagePreview') }
  get channel (): string | undefined { return this.index.fieldAt(this.slot, 'channel') }
}
