/** Light type guards for pushed frames: the server is trusted, but a frame of another version must not crash the console. */
import type { Message, Session, Store } from './types';

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asSession(value: unknown): Session | null {
  return isObj(value) && typeof value.id === 'number' && typeof value.store_id === 'number' && typeof value.status === 'string'
    ? (value as unknown as Session)
    : null;
}

export function asMessage(value: unknown): Message | null {
  return isObj(value) && typeof value.id === 'number' && typeof value.session_id === 'number' && typeof value.sender_type === 'string' && typeof value.type === 'string'
    ? (value as unknown as Message)
    : null;
}

export function asStore(value: unknown): Store | null {
  return isObj(value) && typeof value.id === 'number' && typeof value.name === 'string' ? (value as unknown as Store) : null;
}

export function num(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}
