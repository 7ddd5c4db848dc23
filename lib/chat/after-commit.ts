import { chatTableRef, type Deps } from '../deps';
import type { Connection } from '../entities/connection';
import { syncInbox } from '../entities/inbox';
import { fanOut } from '../realtime/fanout';
import type { ServerEvent } from '../realtime/events';
import type { Appended } from './session-log';

/**
 * The work that follows a committed entry: move the session's inbox entry and
 * push the event. Both are derived from the committed log, so a failure here
 * is logged, never surfaced: the caller's write already stands.
 */
export async function afterCommit(deps: Deps, appended: Appended, recipients: readonly Connection[], event: ServerEvent): Promise<void> {
  await Promise.all([
    syncInbox(chatTableRef(deps), appended.entry, appended.previous).catch((error: unknown) =>
      deps.log.warn('inbox update failed', { sessionId: appended.entry.session.id, error }),
    ),
    fanOut(deps, recipients, event),
  ]);
}
