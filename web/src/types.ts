/** The API's objects, from the contract's generated types (lib/client/openapi.d.ts): types only, nothing bundled. */
import type { components } from '../../lib/client';

type Schemas = components['schemas'];
export type Session = Schemas['Session'];
export type Store = Schemas['Store'];
export type LastMessage = Schemas['LastMessage'];
export type Product = Schemas['Product'];
export type MessageType = Schemas['Message']['type'];
/** A message as pushed, answered or listed: lists add the sender's name and presence. */
export type Message = Schemas['Message'] & { sender_name?: string; sender_online?: boolean };
export type InboxSession = Schemas['InboxSession'];
export type Notification = Schemas['Notification'];

/** README "Admin console": GET /v1/chat/admin/me/ and the entries of GET /v1/chat/admin/admins/. */
export interface Admin {
  id: number;
  name: string;
  online?: boolean;
}

export type Tab = 'unclaimed' | 'mine' | 'open' | 'closed';
