import { isoTime } from '../clock';
import { chatTableRef, type Deps } from '../deps';
import type { PrincipalProfile } from '../entities/principal';
import { stampStoreSeen } from '../entities/store';

/** `sender_online` (README "The message object"): a store is online when its last action was under five minutes ago. */
export const storeOnlineMs = 5 * 60 * 1000;

/** last_seen_at moves at most this often, so presence is not a write on every request. */
const seenResolutionMs = 60 * 1000;

/**
 * Activity is the later of two stamps: last_seen_at on the profile (reads and
 * uploads) and the session's last_store_message_at (sends, which write no
 * extra item for presence).
 */
export function storeIsOnline(
  profile: Pick<PrincipalProfile, 'last_seen_at'> | undefined,
  nowMs: number,
  lastMessageAt?: string,
): boolean {
  const seen = [profile?.last_seen_at, lastMessageAt].flatMap((at) => (at === undefined ? [] : [Date.parse(at)]));
  return seen.some((at) => nowMs - at < storeOnlineMs);
}

/** Records a store's activity from a profile the caller has just read; writes only when it is stale. */
export async function noteStoreSeen(deps: Deps, profile: PrincipalProfile): Promise<void> {
  const now = deps.clock.now();
  if (profile.last_seen_at !== undefined && now - Date.parse(profile.last_seen_at) < seenResolutionMs) return;
  try {
    await stampStoreSeen(chatTableRef(deps), profile.id, isoTime(now));
  } catch (error) {
    deps.log.warn('could not record store presence', { storeId: profile.id, error });
  }
}
