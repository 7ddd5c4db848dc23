import { chatTableRef } from '../../lib/deps';
import { importProducts } from '../../lib/ops/products';
import { chat, messageOf, seeds, untilOffline, type Admin } from './chat';
import { useTestStack, type Frame } from './harness';

/** Seed 000's message fields, in order, then what seeds 001–003 add (README "The message object"). */
export const messageKeys = [
  'id', 'session_id', 'sender_type', 'sender_id', 'content', 'attachment_url', 'attachment_type', 'status', 'created', 'updated',
  'type', 'product', 'rating', 'special_type', 'special_param', 'client_message_id', 'read_at', 'moderation',
];

/** A product as the catalogue import takes it, every field set. */
export const lamp = {
  sku: 'LAMP-1',
  name: 'Desk lamp',
  type: 'lighting',
  price: 42.41,
  price_catalog: 49.9,
  reference_unit_price: 42.41,
  discount_percentage: 15,
  url: 'https://shop.example.com/p/lamp-1',
  description: 'A warm desk lamp',
  images: [
    { lang: 'en_GB', content: 'https://cdn.example.com/lamp-1/en.jpg' },
    { lang: 'fr_FR', content: 'https://cdn.example.com/lamp-1/fr.jpg' },
  ],
  stock: 12,
  stock_available: 10,
  youtube_id: 'dQw4w9WgXcQ',
  old_image: null,
};

/** The ids of the `message.created` frames for one session, in the order they came. */
export const createdIds = (frames: Frame[], sessionId: number) =>
  frames.filter((f) => f.type === 'message.created' && messageOf(f).session_id === sessionId).map((f) => messageOf(f).id);

/**
 * A test stack for scenarios between stores and admins on sockets. Call it
 * inside a describe: after each test it closes the admins' sockets and waits
 * until nobody is online, because presence and "unavailable" depend on who is
 * connected.
 */
export function useChatStack() {
  const stack = useTestStack();
  const use = chat(stack);
  const api = seeds(stack);

  afterEach(async () => {
    await use.closeSockets();
    await untilOffline(stack);
  });

  const importProduct = async (storeId: number, product: Record<string, unknown> = lamp) =>
    (await importProducts(chatTableRef(stack.deps), storeId, [product])).products[0]!.id;

  /** The store's first message, claimed by the admin: a session the admin may write in. */
  const claimedSession = async (admin: Admin, token: string, content = 'hi') => {
    const first = await use.storeSays(token, content);
    await admin.socket.request({ action: 'claim', session_id: first.session.id });
    return first;
  };

  const adminSays = async (admin: Admin, sessionId: number, frame: Record<string, unknown>) => {
    const answer = await admin.socket.request({ action: 'send', session_id: sessionId, ...frame });
    if (answer.type !== 'result') throw new Error(`admin send failed: ${JSON.stringify(answer)}`);
    return messageOf(answer);
  };

  return { stack, use, api, importProduct, claimedSession, adminSays };
}
