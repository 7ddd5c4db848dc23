import type { SendWindow } from '../entities/session';
import { TooManyRequestsError } from '../errors';

export interface SendLimit {
  messages: number;
  windowMs: number;
}

/** The store's send window after counting the sends, or the refusal when they would pass the limit. */
export type Counted = { ok: true; window: SendWindow } | { ok: false; error: TooManyRequestsError };

/**
 * A per-store send limit that writes nothing extra: the count rides in the
 * session state of the entry every message writes anyway, and the log's
 * conditional put serialises it, so it holds across Lambda instances. A
 * window opens with a store message and lasts `windowMs`.
 */
export function countSends(window: SendWindow | undefined, sends: number, nowMs: number, limit: SendLimit): Counted {
  const open = window !== undefined && nowMs - Date.parse(window.start) < limit.windowMs;
  const count = (open ? window.count : 0) + sends;
  if (count > limit.messages) {
    const resetsIn = open ? Date.parse(window.start) + limit.windowMs - nowMs : limit.windowMs;
    return { ok: false, error: new TooManyRequestsError(`Too many messages: at most ${limit.messages} every ${limit.windowMs / 1000} seconds`, resetsIn / 1000) };
  }
  return { ok: true, window: open ? { start: window.start, count } : { start: new Date(nowMs).toISOString(), count } };
}
