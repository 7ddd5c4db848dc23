import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { chatTableRef } from '../../lib/deps';
import { nextId } from '../../lib/entities/counter';
import { principalKey } from '../../lib/entities/principal';
import { issueTokenFor, type IssuedCredential } from '../../lib/ops/principals';
import { importProducts } from '../../lib/ops/products';
import { useTestStack, type TestSocket } from '../support/harness';
import { adminConnectionCount } from '../support/valid-calls';
import { waitFor } from '../support/poll';

interface AdminsBody {
  admins: { id: number; name: string; online: boolean }[];
}

interface ProductsBody {
  products: { id: number; sku: string; name: string | null; price: number }[];
  next_cursor: string | null;
}

const productsPath = (storeId: number | string) => `/v1/chat/admin/stores/${storeId}/products/`;

describe("the console's directory: who am I, every admin with presence, a store's products", () => {
  const stack = useTestStack({ s3Port: 0 });
  const sockets: TestSocket[] = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  });

  const connect = async (token: string) => {
    const socket = await stack.connect(token);
    sockets.push(socket);
    return socket;
  };
  const admins = async (token: string) => {
    const response = await stack.get('/v1/chat/admin/admins/', { token });
    expect(response.status).toBe(200);
    return (response.json as AdminsBody).admins;
  };
  const presenceOf = async (token: string, ids: number[]) => (await admins(token)).filter((admin) => ids.includes(admin.id)).map(({ id, online }) => ({ id, online }));

  describe('GET /v1/chat/admin/me/', () => {
    it('answers each admin with its own id and name', async () => {
      const [ann, bob] = await Promise.all([stack.createAdmin('Ann'), stack.createAdmin('Bob')]);

      const [asAnn, asBob] = await Promise.all([stack.get('/v1/chat/admin/me/', { token: ann.token }), stack.get('/v1/chat/admin/me', { token: bob.token })]);

      expect([asAnn.status, asAnn.json]).toEqual([200, { id: ann.id, name: 'Ann' }]);
      expect([asBob.status, asBob.json]).toEqual([200, { id: bob.id, name: 'Bob' }]);
    });
  });

  describe('GET /v1/chat/admin/admins/', () => {
    it('lists every admin by id with its name', async () => {
      const names = ['Cleo', 'Dan', 'Eve'];
      const created: IssuedCredential[] = [];
      for (const name of names) created.push(await stack.createAdmin(name));

      const listed = await admins(created[0]!.token);

      expect(listed.filter((admin) => created.some((c) => c.id === admin.id))).toEqual(
        created.map((c, index) => ({ id: c.id, name: names[index], online: false })),
      );
      const ids = listed.map((admin) => admin.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    });

    it('shows an admin online while it holds at least one socket, and offline once its last socket closes', async () => {
      const fay = await stack.createAdmin('Fay');
      const gus = await stack.createAdmin('Gus');
      const ids = [fay.id, gus.id];

      const before = await presenceOf(gus.token, ids);
      const first = await connect(fay.token);
      const second = await connect(fay.token);
      const withTwo = await presenceOf(gus.token, ids);
      await first.close();
      await waitFor(async () => (await adminConnectionCount(stack, fay.id)) === 1);
      const withOne = await presenceOf(gus.token, ids);
      await second.close();
      await waitFor(async () => (await presenceOf(gus.token, ids)).every((admin) => !admin.online));
      const after = await presenceOf(gus.token, ids);

      expect(before).toEqual([{ id: fay.id, online: false }, { id: gus.id, online: false }]);
      expect(withTwo).toEqual([{ id: fay.id, online: true }, { id: gus.id, online: false }]);
      expect(withOne).toEqual([{ id: fay.id, online: true }, { id: gus.id, online: false }]);
      expect(after).toEqual([{ id: fay.id, online: false }, { id: gus.id, online: false }]);
    });

    it('lists an admin created before the directory existed once a token is issued for it', async () => {
      // An admin as createPrincipal wrote it before this endpoint: a profile and no directory entry.
      const ref = chatTableRef(stack.deps);
      const id = await nextId(ref, 'admin');
      await stack.deps.db.send(
        new PutCommand({ TableName: ref.table, Item: { ...principalKey('admin', id), entity: 'admin', kind: 'admin', id, name: 'Old Hand', created: '2025-01-01T00:00:00.000Z' } }),
      );
      const viewer = await stack.createAdmin('Viewer');

      const missing = (await admins(viewer.token)).some((admin) => admin.id === id);
      const issued = await issueTokenFor(ref, 'admin', id);
      const listed = (await admins(viewer.token)).find((admin) => admin.id === id);

      expect(missing).toBe(false);
      expect(issued?.id).toBe(id);
      expect(listed).toEqual({ id, name: 'Old Hand', online: false });
    });
  });

  describe('GET /v1/chat/admin/stores/{store_id}/products/', () => {
    it("pages through a store's catalog in sku order with the cursor, and never shows another store's products", async () => {
      const [admin, shop, rival] = await Promise.all([stack.createAdmin('Hal'), stack.createStore('Shop'), stack.createStore('Rival')]);
      const ref = chatTableRef(stack.deps);
      const skus = ['SKU-E', 'SKU-A', 'SKU-C', 'SKU-B', 'SKU-D'];
      const imported = await importProducts(ref, shop.id, skus.map((sku, index) => ({ sku, name: `Item ${sku}`, price: index + 1 })));
      const theirs = await importProducts(ref, rival.id, [{ sku: 'SKU-A', name: 'Rival item', price: 9 }, { sku: 'SKU-AA', price: 9 }]);

      const pages: ProductsBody[] = [];
      let cursor: string | undefined;
      do {
        const response = await stack.get(productsPath(shop.id), { token: admin.token, query: { limit: 2, cursor } });
        expect(response.status).toBe(200);
        pages.push(response.json as ProductsBody);
        cursor = pages.at(-1)!.next_cursor ?? undefined;
      } while (cursor && pages.length < 10);

      expect(pages.map((page) => page.products.map((product) => product.sku))).toEqual([['SKU-A', 'SKU-B'], ['SKU-C', 'SKU-D'], ['SKU-E']]);
      expect(pages.map((page) => page.next_cursor === null)).toEqual([false, false, true]);
      const listedIds = pages.flatMap((page) => page.products.map((product) => product.id));
      expect([...listedIds].sort((a, b) => a - b)).toEqual(imported.products.map((product) => product.id).sort((a, b) => a - b));
      expect(listedIds.filter((id) => theirs.products.some((product) => product.id === id))).toEqual([]);
    });

    it('answers each product exactly as a product message embeds it', async () => {
      const [admin, shop] = await Promise.all([stack.createAdmin('Ida'), stack.createStore('Lamps')]);
      await connect(admin.token);
      const imported = await importProducts(chatTableRef(stack.deps), shop.id, [
        {
          sku: 'LAMP-1',
          name: 'Desk lamp',
          price: 42.41,
          price_catalog: 49.9,
          discount_percentage: 15,
          url: 'https://shop.example.com/p/lamp-1',
          images: [{ lang: 'en_GB', content: 'https://cdn.example.com/lamp-1/en.jpg' }],
        },
      ]);

      const listed = await stack.get(productsPath(shop.id), { token: admin.token, query: {} });
      const sent = await stack.post('/v1/chat/store/message/', { token: shop.token, body: { product_id: imported.products[0]!.id } });

      expect(sent.status).toBe(200);
      expect(listed.json).toEqual({ products: [(sent.json as { message: { product: unknown } }).message.product], next_cursor: null });
    });

    it('answers a store without products with an empty page', async () => {
      const [admin, empty] = await Promise.all([stack.createAdmin('Jo'), stack.createStore('Empty')]);

      const response = await stack.get(productsPath(empty.id), { token: admin.token, query: {} });

      expect([response.status, response.json]).toEqual([200, { products: [], next_cursor: null }]);
    });

    it('answers 404 for an unknown store and 400 in the envelope for a bad store id, limit or cursor', async () => {
      const [admin, shop] = await Promise.all([stack.createAdmin('Kim'), stack.createStore('Shop')]);
      const call = (path: string, query: Record<string, string | number> = {}) => stack.get(path, { token: admin.token, query });
      const forged = Buffer.from(JSON.stringify({ after: '../PROFILE' }), 'utf8').toString('base64url');

      const answers = await Promise.all([
        call(productsPath(9_000_000_000)),
        call(productsPath('abc')),
        call(productsPath(0)),
        call(productsPath(shop.id), { limit: 0 }),
        call(productsPath(shop.id), { limit: 101 }),
        call(productsPath(shop.id), { limit: 'ten' }),
        call(productsPath(shop.id), { cursor: forged }),
      ]);

      expect(answers.map((answer) => [answer.status, answer.json])).toEqual([
        [404, { error: 'Store not found' }],
        [400, { error: 'Invalid path', errors: { store_id: ['Must be an integer'] } }],
        [400, { error: 'Invalid path', errors: { store_id: ['Must be positive'] } }],
        [400, { error: 'Invalid query string', errors: { limit: ['Must be an integer from 1 to 100'] } }],
        [400, { error: 'Invalid query string', errors: { limit: ['Must be an integer from 1 to 100'] } }],
        [400, { error: 'Invalid query string', errors: { limit: ['Must be an integer from 1 to 100'] } }],
        [400, { error: 'Invalid query string', errors: { cursor: ['Is not a cursor this endpoint issued'] } }],
      ]);
    });
  });

  describe('authorization, as on every admin route', () => {
    it.each(['/v1/chat/admin/me/', '/v1/chat/admin/admins/', '/v1/chat/admin/stores/{store}/products/'])('refuses %s to a store token (403) and to no token (401)', async (template) => {
      const store = await stack.createStore('Nosy');
      const path = template.replace('{store}', String(store.id));

      const [asStore, anonymous] = await Promise.all([stack.get(path, { token: store.token }), stack.get(path, {})]);

      expect([asStore.status, asStore.json]).toEqual([403, { error: 'This endpoint requires an admin token' }]);
      expect([anonymous.status, anonymous.json]).toEqual([401, { error: 'Unauthorized' }]);
    });
  });
});

