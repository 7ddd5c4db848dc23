import { defaultDeps, resolveDeps, type DepsSource } from '../../lib/deps';
import { BadRequestError, NotFoundError } from '../../lib/errors';
import { limits } from '../../lib/limits';
import { routes } from '../../lib/routes';
import { echoRequestId, errorFrame, frameErrors, parseFrame, reply, type WsEvent, type WsResponse } from '../../lib/ws/route';

/**
 * Frames no action route took: not JSON, not an object, no string `action`,
 * or an `action` that names no route. Each gets the error frame README "Admin
 * WebSocket" (Frames) lists, with the same wording as the HTTP body errors.
 */
export const makeHandler =
  (source: DepsSource = defaultDeps) =>
  (event: WsEvent): Promise<WsResponse> => {
    const log = resolveDeps(source).log.child({ route: routes.wsDefault.name, connectionId: event.requestContext.connectionId });
    let frame: Record<string, unknown> | undefined;
    let action: string | null = null;
    try {
      // A binary frame arrives base64-encoded; it is not a JSON text frame either.
      frame = parseFrame(event.isBase64Encoded ? undefined : event.body);
      const value = frame.action;
      if (typeof value !== 'string') throw new BadRequestError(frameErrors.invalid, { action: ['Must be a string'] });
      if (value.length > limits.wsActionMaxChars) {
        throw new BadRequestError(frameErrors.invalid, { action: [`Must be at most ${limits.wsActionMaxChars} characters`] });
      }
      action = value;
      throw new NotFoundError(`Unknown action: ${value}`);
    } catch (error) {
      return Promise.resolve(reply(errorFrame(error, action, echoRequestId(frame), log)));
    }
  };

export const handler = makeHandler();
