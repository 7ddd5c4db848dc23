import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { chatTable } from '../../lib/db/schema';
import { createDocumentClient } from '../../lib/db/client';
import { getProduct } from '../../lib/entities/product';
import { ensureTable } from '../../infra/local/tables';
import { runChatctl } from '../support/processes';

interface Imported {
  imported: number;
  created: number;
  updated: number;
  products: { id: number; sku: string }[];
}

/** A product exactly as seed 001 lists it, extra fields (id_product, id_i18n_content) included. */
function seedProduct(sku: string, overrides: Record<string, unknown> = {}) {
  return {
    id_product: 4711,
    sku,
    name: `Product ${sku}`,
    type: 'simple',
    discount_percentage: 15,
    price_catalog: 49.9,
    reference_unit_price: 4.99,
    price: 42.41,
    youtube_id: 'dQw4w9WgXcQ',
    url: `https://shop.example.com/p/${sku}`,
    description: 'A well made thing.',
    images: [
      { id_i18n_content: 1, lang: 'en_GB', content: `https://cdn.example.com/${sku}/en.jpg` },
      { id_i18n_content: 2, lang: 'fr_FR', content: `https://cdn.example.com/${sku}/fr.jpg` },
      { id_i18n_content: 3, lang: 'es_ES', content: `https://cdn.example.com/${sku}/es.jpg` },
      { id_i18n_content: 4, lang: 'de_DE', content: `https://cdn.example.com/${sku}/de.jpg` },
    ],
    stock: 12,
    stock_available: 10,
    old_image: `https://cdn.example.com/${sku}/old.jpg`,
    ...overrides,
  };
}

describe('npm run chatctl -- product import', () => {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT!;
  const table = `test-${randomUUID().slice(0, 8)}-chat`;
  const target = ['--endpoint', endpoint, '--table', table];
  const chatctl = (...args: string[]) => runChatctl([...args, ...target]);
  const db = createDocumentClient({ region: 'us-east-1', endpoint });
  const ref = { db, table };
  const dir = mkdtempSync(join(tmpdir(), 'chatctl-products-'));

  const writeFile = (content: unknown) => {
    const path = join(dir, `${randomUUID()}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const createStore = async () => (JSON.parse((await chatctl('store', 'create', '--name', 'Shop')).stdout) as { id: number }).id;
  const importFile = (store: number, content: unknown) => chatctl('product', 'import', '--store', String(store), '--file', writeFile(content));

  beforeAll(async () => {
    const admin = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await ensureTable(admin, chatTable, table);
    admin.destroy();
  });

  afterAll(() => {
    db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a seed 001 product file into the store, all fields and images kept, extra fields dropped', async () => {
    const store = await createStore();

    const result = await importFile(store, [seedProduct('SKU-1'), seedProduct('SKU-2', { name: null, images: [] })]);

    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as Imported;
    expect(printed).toEqual({ imported: 2, created: 2, updated: 0, products: [expect.objectContaining({ sku: 'SKU-1' }), expect.objectContaining({ sku: 'SKU-2' })] });
    const { id_product: _idProduct, images, ...fields } = seedProduct('SKU-1');
    const product = await getProduct(ref, printed.products[0]!.id);
    expect(product).toEqual({
      ...fields,
      images: images.map(({ lang, content }) => ({ lang, content })),
      id: printed.products[0]!.id,
      store_id: store,
      updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(await getProduct(ref, printed.products[1]!.id)).toMatchObject({ sku: 'SKU-2', name: null, images: [], store_id: store });
  });

  it('fills optional fields with the schema defaults when a product gives only sku and price', async () => {
    const store = await createStore();

    const { stdout } = await importFile(store, [{ sku: 'MINIMAL', price: 5 }]);

    const product = await getProduct(ref, (JSON.parse(stdout) as Imported).products[0]!.id);
    expect(product).toMatchObject({ sku: 'MINIMAL', price: 5, name: null, discount_percentage: 0, images: [], stock: 0, old_image: null });
  });

  it('keeps product ids on re-import and updates their fields', async () => {
    const store = await createStore();
    const first = JSON.parse((await importFile(store, [seedProduct('A'), seedProduct('B')])).stdout) as Imported;

    const second = await importFile(store, [seedProduct('B', { price: 1.5 }), seedProduct('A', { name: 'Renamed', stock: 0 })]);

    expect(second.code).toBe(0);
    const printed = JSON.parse(second.stdout) as Imported;
    const idOf = (result: Imported, sku: string) => result.products.find((product) => product.sku === sku)!.id;
    expect(printed).toMatchObject({ imported: 2, created: 0, updated: 2 });
    expect(idOf(printed, 'A')).toBe(idOf(first, 'A'));
    expect(idOf(printed, 'B')).toBe(idOf(first, 'B'));
    expect(await getProduct(ref, idOf(first, 'A'))).toMatchObject({ name: 'Renamed', stock: 0 });
    expect(await getProduct(ref, idOf(first, 'B'))).toMatchObject({ price: 1.5 });
  });

  it('accepts the {"products": [...]} wrapper', async () => {
    const store = await createStore();

    const result = await importFile(store, { products: [seedProduct('WRAPPED')] });

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ imported: 1, created: 1, products: [{ sku: 'WRAPPED' }] });
  });

  it('prints exactly one JSON line on stdout and nothing on stderr', async () => {
    const store = await createStore();

    const result = await importFile(store, [seedProduct('ONE-LINE')]);

    expect(result.stdout).toMatch(/^\{.*\}\n$/);
    expect(result.stdout.split('\n')).toHaveLength(2);
    expect(result.stderr).toBe('');
  });

  it('gives the same sku in two stores two different products', async () => {
    const [storeA, storeB] = [await createStore(), await createStore()];

    const a = JSON.parse((await importFile(storeA, [seedProduct('SHARED')])).stdout) as Imported;
    const b = JSON.parse((await importFile(storeB, [seedProduct('SHARED', { price: 99 })])).stdout) as Imported;

    expect(b.created).toBe(1);
    expect(a.products[0]!.id).not.toBe(b.products[0]!.id);
    expect(await getProduct(ref, a.products[0]!.id)).toMatchObject({ store_id: storeA, price: 42.41 });
    expect(await getProduct(ref, b.products[0]!.id)).toMatchObject({ store_id: storeB, price: 99 });
  });

  it('imports nothing from a file with an invalid product and names each bad index and field', async () => {
    const store = await createStore();
    const file = [seedProduct('GOOD'), seedProduct('ALSO-GOOD'), seedProduct('BAD-IMAGE', { images: [{ lang: 'it_IT', content: 'http://x' }] }), seedProduct('BAD-PRICE', { price: -1 }), { name: 'no sku', price: 1 }, 'not a product'];

    const result = await importFile(store, file);
    const retry = await importFile(store, [seedProduct('GOOD')]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toEqual({
      error: 'Invalid product file',
      errors: {
        'products.2.images.0.lang': ['Must be one of en_GB, fr_FR, es_ES, de_DE'],
        'products.2.images.0.content': ['Must be an https URL'],
        'products.3.price': ['Must not be negative'],
        'products.4.sku': ['Must be a string'],
        'products.5': ['Must be an object'],
      },
    });
    // Nothing was written by the refused import, so GOOD is new now.
    expect(JSON.parse(retry.stdout)).toMatchObject({ created: 1, updated: 0 });
  });

  it('refuses a file that lists the same sku twice', async () => {
    const store = await createStore();

    const result = await importFile(store, [seedProduct('TWICE'), seedProduct('OTHER'), seedProduct('TWICE')]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toEqual({ error: 'Invalid product file', errors: { 'products.2.sku': ['Appears twice in the file'] } });
  });

  it('refuses a file with more than 1000 products', async () => {
    const store = await createStore();

    const result = await importFile(store, Array.from({ length: 1001 }, (_, index) => ({ sku: `S${index}`, price: 1 })));

    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toEqual({ error: 'Invalid product file', errors: { products: ['Must list at most 1000 products'] } });
  });

  it('refuses a file that is neither an array nor {"products": [...]}', async () => {
    const store = await createStore();

    const result = await importFile(store, { items: [seedProduct('X')] });

    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toEqual({ error: 'Invalid product file', errors: { products: ['Must be an array of products, or an object {"products": [...]}'] } });
  });

  it('refuses an unknown store', async () => {
    const result = await importFile(999_999, [seedProduct('NOWHERE')]);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toEqual({ error: 'store 999999 does not exist' });
  });

  it('refuses a missing file and a file that is not JSON', async () => {
    const store = await createStore();
    const missing = join(dir, 'missing.json');

    const notFound = await chatctl('product', 'import', '--store', String(store), '--file', missing);
    const notJson = await importFile(store, '[{"sku": ');

    expect(notFound.code).toBe(2);
    expect(JSON.parse(notFound.stderr)).toEqual({ error: `cannot read --file ${missing}: no such file` });
    expect(notJson.code).toBe(2);
    expect((JSON.parse(notJson.stderr) as { error: string }).error).toMatch(/is not valid JSON/);
  });

  it('refuses a missing --store or --file as a usage error', async () => {
    const result = await chatctl('product', 'import', '--file', 'x.json');

    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toEqual({ error: 'product import needs --store <id> and --file <path.json>' });
  });
});
