import { isoTime } from '../clock';
import { chatTableRef, type Deps } from '../deps';
import { advanceReceipt, type ReceiptField } from '../entities/receipts';
import { splitMessageId, type Entry } from '../entities/session';
import { BadRequestError } from '../errors';
import { fanOut, sessionAudience, storeAudience } from '../realtime/fanout';

export interface ReadResult {
  session_id: number;
  up_to_id: number;
  /** False when an earlier read already covered up_to_id. */
  advanced: boolean;
}

/** How a refused input is summed up where it came from (README "Errors"). */
export type InvalidInput = 'Invalid request body' | 'Invalid frame';

/** up_to_id must name an existing entry of this session. */
export function checkUpTo(head: Entry, upToId: number, invalid: InvalidInput): void {
  const { sessionId, seq } = splitMessageId(upToId);
  if (sessionId !== head.session.id || seq < 1 || seq > head.seq) {
    throw new BadRequestError(invalid, { up_to_id: ['Is not a message of this session'] });
  }
}

/**
 * Marks everything up to an id read by one side and tells the session's
 * admins, and the store's sockets when admins read (README "Store
 * WebSocket"; its connections are read in parallel with the admins'). One
 * conditional write however many messages it covers; a read that moves
 * nothing pushes nothing.
 */
export async function markRead(deps: Deps, head: Entry, reader: { type: 'admin' | 'store'; id: number }, upToId: number, invalid: InvalidInput): Promise<ReadResult> {
  checkUpTo(head, upToId, invalid);
  const field: ReceiptField = reader.type === 'admin' ? 'admin_read' : 'store_read';
  const advanced = await advanceReceipt(chatTableRef(deps), head.session.id, field, upToId, isoTime(deps.clock.now()));
  if (advanced) {
    const [admins, store] = await Promise.all([
      sessionAudience(deps, head.session.admin_id),
      reader.type === 'admin' ? storeAudience(deps, head.session.store_id) : Promise.resolve([]),
    ]);
    await fanOut(deps, [...admins, ...store], {
      type: 'messages.read',
      session_id: head.session.id,
      reader_type: reader.type,
      reader_id: reader.id,
      up_to_id: upToId,
    });
  }
  return { session_id: head.session.id, up_to_id: upToId, advanced };
}
