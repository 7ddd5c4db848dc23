import * as z from '../validation';
import { idField } from '../http/integers';

/** Positive integer ids in WebSocket frames and JSON bodies: the shared rule and wording of http/integers.ts. */
export { idField };

export const sessionFrame = z.object({ session_id: idField });
