import { createUpload, uploadRequest } from '../../lib/attachments/upload';
import { defaultDeps, type DepsSource } from '../../lib/deps';
import { parseJsonBody } from '../../lib/http/request';
import { httpRoute } from '../../lib/http/route';
import { routes } from '../../lib/routes';

/** POST /v1/chat/store/attachment/ {"file_name", "content_type", "size"}: a presigned upload under the store's prefix. */
export const makeHandler = (deps: DepsSource = defaultDeps) =>
  httpRoute(routes.storeCreateAttachment, deps, ({ deps, principal, event }) => createUpload(deps, principal, parseJsonBody(event, uploadRequest)));

export const handler = makeHandler();
