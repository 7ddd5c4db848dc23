import { sendStoreMessage } from '../../lib/chat/send-store-message';
import { storeMessageBody, toMessageInput } from '../../lib/chat/store-message-input';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { parseJsonBody } from '../../lib/http/request';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';

/** POST /v1/chat/store/message/ (seed 000). */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  httpRoute(routes.storeSendMessage, deps, ({ deps, principal, event }) =>
    sendStoreMessage(deps, principal.id, toMessageInput(parseJsonBody(event, storeMessageBody))),
  );

export const handler = makeHandler();
