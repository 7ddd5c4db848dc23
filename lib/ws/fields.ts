import * as z from 'zod';

/** Positive integer ids in WebSocket frames and query strings. */
export const idField = z.number({ error: 'Must be an integer' }).int('Must be an integer').positive('Must be positive');

export const sessionFrame = z.object({ session_id: idField });
