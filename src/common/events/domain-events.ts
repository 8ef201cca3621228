import type { EntityManager } from 'typeorm';

/**
 * Typed in-process events between domains (`@nestjs/event-emitter`, registered once in
 * AppModule). An emitter states what changed in its own domain; listeners in other modules
 * react, so neither imports the other's internals. Each event is a name constant plus a payload
 * class; emit with `emitAsync(NAME, new Payload(...))` and await it where the caller's answer
 * must already reflect the reaction (listeners run in process, before the promise settles).
 *
 * Listeners register with `{ suppressErrors: false }` so a failing reaction reaches the emitter
 * and each emitter decides whether it is fatal (a purchase stands; an admin edit answers 500).
 */

/** A node's settings changed (admin create/update/disable); no id: every node. */
export const NODES_CHANGED = 'nodes.changed';

export class NodesChangedEvent {
  constructor(readonly nodeId?: number) {}
}

/**
 * Something that decides which nodes serve a user, and how, changed: enable flag, level, group,
 * quota, limits, used traffic, expiry (admin edits, a committed purchase or renewal). No ids:
 * any user.
 */
export const USERS_ENTITLEMENTS_CHANGED = 'users.entitlements-changed';

export class UsersEntitlementsChangedEvent {
  constructor(readonly userIds?: number[]) {}
}

/**
 * An account is about to be deleted (the check job's account_deletion step), emitted inside the
 * deletion's transaction after the archive row and before the DELETE, once per user. Listeners
 * write through `manager` so their changes commit or roll back with the deletion; a listener
 * error rolls the batch back. The referral clawback listens; the user module knows nothing of it.
 */
export const USER_DELETING = 'user.deleting';

export class UserDeletingEvent {
  constructor(
    readonly manager: EntityManager,
    readonly userId: number,
    readonly now: Date,
  ) {}
}
