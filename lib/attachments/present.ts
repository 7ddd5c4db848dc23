import { messageView, type Audience, type MessageView } from '../chat/views';
import type { DerivedStatus } from '../chat/status';
import type { Deps } from '../deps';
import type { Entry } from '../entities/session';
import { attachmentsPrefix } from './policy';

/**
 * A message as clients receive it. Our attachments are stored by their
 * canonical bucket URL, which nobody can open; each view carries a
 * short-lived presigned GET instead. Presigning is local signing, no request.
 */
export async function presentMessage(deps: Deps, entry: Entry, options: { derived?: DerivedStatus; audience?: Audience } = {}): Promise<MessageView> {
  const view = messageView(entry, options);
  // Sign only what the view shows: a hidden message's view (a store's) has its attachment emptied, and must
  // not get a working link back (README "The message object", moderation).
  const key = view.attachment_url === '' ? undefined : deps.attachments?.keyOf(view.attachment_url);
  if (key === undefined || !key.startsWith(attachmentsPrefix) || !deps.attachments) return view;
  return { ...view, attachment_url: await deps.attachments.presignDownload(key) };
}
