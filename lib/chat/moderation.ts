import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isoTime } from '../clock';
import { chatTableRef, type Deps } from '../deps';
import { getEntry, sessionKeys, splitMessageId, type Entry } from '../entities/session';
import { ConflictError, NotFoundError } from '../errors';
import { presentMessage } from '../attachments/present';
import { fanOut, sessionAudience } from '../realtime/fanout';
import type { MessageView } from './views';

/**
 * Seed 001's status_moderation: an admin hides a message. The store then sees
 * it removed, with no content; admins still see it, marked hidden. The one
 * place an entry changes after it is written: its slot and order stay.
 */
export async function setHidden(deps: Deps, adminId: number, id: number, hidden: boolean): Promise<{ message: MessageView }> {
  const chat = chatTableRef(deps);
  const entry = await getEntry(chat, id);
  if (!entry) throw new NotFoundError('Message not found');
  if (entry.sender_type === 'system') throw new ConflictError('Only store and admin messages can be hidden');
  const { sessionId, seq } = splitMessageId(id);
  const at = isoTime(deps.clock.now());
  await deps.db.send(
    new UpdateCommand({
      TableName: chat.table,
      Key: { pk: sessionKeys.pk(sessionId), sk: sessionKeys.sk(seq) },
      // HIDDEN is a DynamoDB reserved word.
      UpdateExpression: hidden ? 'SET #hidden = :hidden' : 'REMOVE #hidden',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#hidden': 'hidden' },
      ...(hidden ? { ExpressionAttributeValues: { ':hidden': { by: adminId, at } } } : {}),
    }),
  );
  const updated: Entry = hidden ? { ...entry, hidden: { by: adminId, at } } : (({ hidden: _gone, ...rest }) => rest)(entry);
  const message = await presentMessage(deps, updated, { audience: 'admin' });
  await fanOut(deps, await sessionAudience(deps, entry.session.admin_id), {
    type: hidden ? 'message.hidden' : 'message.unhidden',
    session_id: sessionId,
    message,
    admin_id: adminId,
  });
  return { message };
}
