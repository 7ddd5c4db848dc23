/**
 * The HTTP API, only through the contract's typed client (lib/client: openapi-fetch over docs/openapi.json),
 * with its one error envelope turned into an ApiError.
 */
import { createChatClient } from '../../lib/client';
import type { Admin, InboxSession, Message, Notification, Product, Session, Tab } from './types';

/** The error envelope (README "API reference"), or a network failure as status 0. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string[]>,
  ) {
    super(message);
  }
}

interface Envelope {
  error?: unknown;
  errors?: unknown;
}

function describe(status: number, body: unknown): ApiError {
  const envelope = (typeof body === 'object' && body !== null ? body : {}) as Envelope;
  const message = typeof envelope.error === 'string' ? envelope.error : `Request failed (${status})`;
  const errors = typeof envelope.errors === 'object' && envelope.errors !== null ? (envelope.errors as Record<string, string[]>) : undefined;
  return new ApiError(status, message, errors);
}

/** Field details flattened for one line of UI: "Invalid request body: content: Must be a string". */
export function errorText(error: unknown): string {
  if (error instanceof ApiError || (error instanceof Error && 'errors' in error)) {
    const errors = (error as ApiError).errors;
    const details = errors ? Object.entries(errors).map(([field, list]) => `${field}: ${list.join(', ')}`) : [];
    return details.length > 0 ? `${error.message} (${details.join('; ')})` : error.message;
  }
  return error instanceof Error ? error.message : 'Something went wrong';
}

async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch {
    throw new ApiError(0, 'The API could not be reached');
  }
  if (result.response.ok && result.data !== undefined) return result.data;
  throw describe(result.response.status, result.error);
}

export interface MessagesPage {
  session: Session;
  messages: Message[];
  has_more: boolean;
}

export interface UploadTicket {
  attachment_url: string;
  upload: { url: string; method: 'POST'; fields: Record<string, string>; expires_at: string };
}

export function createApi(baseUrl: string, token: string) {
  const client = createChatClient(baseUrl, token);
  return {
    me: () => unwrap<Admin>(client.GET('/v1/chat/admin/me/')),
    admins: () => unwrap<{ admins: Admin[] }>(client.GET('/v1/chat/admin/admins/')),
    products: (storeId: number, cursor?: string) =>
      unwrap<{ products: Product[]; next_cursor: string | null }>(
        client.GET('/v1/chat/admin/stores/{store_id}/products/', { params: { path: { store_id: storeId }, query: { limit: 50, ...(cursor ? { cursor } : {}) } } }),
      ),
    sessions: (state: Tab, cursor?: string, limit = 100) =>
      unwrap<{ sessions: InboxSession[]; next_cursor: string | null }>(
        client.GET('/v1/chat/admin/sessions/', { params: { query: { state, limit, ...(cursor ? { cursor } : {}) } } }),
      ),
    messages: (sessionId: number, page: { after?: number; before?: number; limit?: number } = {}) =>
      unwrap<MessagesPage>(client.GET('/v1/chat/admin/sessions/{session_id}/messages/', { params: { path: { session_id: sessionId }, query: page } })),
    notifications: (cursor?: string, limit = 100) =>
      unwrap<{ notifications: Notification[]; unread_count: number; next_cursor: string | null }>(
        client.GET('/v1/chat/admin/notifications/', { params: { query: { limit, ...(cursor ? { cursor } : {}) } } }),
      ),
    readNotification: (sessionId: number) =>
      unwrap(client.POST('/v1/chat/admin/notifications/{session_id}/read/', { params: { path: { session_id: sessionId } } })),
    readAllNotifications: () => unwrap(client.POST('/v1/chat/admin/notifications/read/')),
    attachment: (body: { file_name: string; content_type: string; size: number }) =>
      unwrap<UploadTicket>(client.POST('/v1/chat/admin/attachment/', { body })),
  };
}

export type Api = ReturnType<typeof createApi>;
export type SessionsPage = Awaited<ReturnType<Api['sessions']>>;
export type NotificationsPage = Awaited<ReturnType<Api['notifications']>>;
