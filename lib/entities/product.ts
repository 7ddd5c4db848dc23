import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import * as z from '../validation';
import { isConditionalCheckFailed, type TableRef } from '../db/types';
import { nextId } from './counter';
import { principalKey } from './principal';

/**
 * A store's catalog product, with the fields README "Ops CLI: stores, admins
 * and tokens" lists for `product import`. Messages embed a snapshot, so a
 * later import never changes history.
 */
export const productLanguages = ['en_GB', 'fr_FR', 'es_ES', 'de_DE'] as const;

const httpsUrl = z.string().check(
  z.maxLength(2048, 'Must be at most 2048 characters'),
  z.refine((value) => {
    try {
      return new URL(value).protocol === 'https:';
    } catch {
      return false;
    }
  }, 'Must be an https URL'),
);
// z.number() refuses Infinity and NaN itself ("Must be a number"), as classic zod's .finite() did.
const money = z.number({ error: 'Must be a number' }).check(z.minimum(0, 'Must not be negative'), z.maximum(1e9, 'Is too large'));
const count = z.number({ error: 'Must be an integer' }).check(z.int('Must be an integer'), z.minimum(0, 'Must not be negative'), z.maximum(1e9, 'Is too large'));
const text = (max: number) => z.string({ error: 'Must be a string' }).check(z.maxLength(max, `Must be at most ${max} characters`));
/** A field that may be null and defaults to null. */
const nullable = <T extends z.ZodMiniType>(schema: T) => z._default(z.nullable(schema), null);

/** One product as an import file lists it (README, `product import`; `sku` identifies it within the store). */
export const productInput = z.object({
  sku: z.string({ error: 'Must be a string' }).check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'Must be 1 to 64 letters, digits, dots, dashes or underscores')),
  name: nullable(text(200)),
  type: nullable(text(100)),
  discount_percentage: z._default(z.number({ error: 'Must be a number' }).check(z.minimum(0, 'Must be from 0 to 100'), z.maximum(100, 'Must be from 0 to 100')), 0),
  price_catalog: z._default(money, 0),
  reference_unit_price: z._default(money, 0),
  price: money,
  youtube_id: nullable(z.string({ error: 'Must be a string' }).check(z.regex(/^[A-Za-z0-9_-]{6,20}$/, 'Must be a YouTube video id'))),
  url: nullable(httpsUrl),
  description: nullable(text(2000)),
  images: z._default(
    z
      .array(z.object({ lang: z.enum(productLanguages, { error: `Must be one of ${productLanguages.join(', ')}` }), content: httpsUrl }))
      .check(z.maxLength(productLanguages.length * 4, 'Has too many images')),
    [],
  ),
  stock: z._default(count, 0),
  stock_available: z._default(count, 0),
  old_image: nullable(httpsUrl),
});

export type ProductInput = z.infer<typeof productInput>;

export interface Product extends ProductInput {
  id: number;
  store_id: number;
  updated: string;
}

/** What a product message embeds: the product as it was when posted. */
export type ProductSnapshot = Omit<Product, 'store_id' | 'updated'>;

export function snapshotOf(product: Product): ProductSnapshot {
  const { store_id: _store, updated: _updated, ...snapshot } = product;
  return snapshot;
}

export const productKey = (id: number) => ({ pk: `PRODUCT#${id}`, sk: 'PRODUCT' });
const skuKey = (storeId: number, sku: string) => ({ pk: principalKey('store', storeId).pk, sk: `PRODUCT_SKU#${sku}` });

/** A stored product item without its keys. */
function productOf(item: Record<string, unknown>): Product {
  const { pk: _pk, sk: _sk, entity: _entity, ...product } = item;
  return product as unknown as Product;
}

export async function getProduct({ db, table }: TableRef, id: number): Promise<Product | undefined> {
  const out = await db.send(new GetCommand({ TableName: table, Key: productKey(id), ConsistentRead: true }));
  return out.Item ? productOf(out.Item) : undefined;
}

export interface ProductPage {
  /** In sku order. */
  products: Product[];
  /** The sku the next page starts after; absent on the last page. */
  nextAfterSku?: string;
}

/**
 * A page of a store's catalog, in sku order (access pattern 2f): a Query of the
 * store's partition for its sku items (`begins_with(sk, PRODUCT_SKU#)`, which
 * nothing else in the partition matches), then one BatchGetItem of those
 * products (at most 100: callers page by at most 100). A sku whose product is
 * not written yet (an import between its two puts) is left out of the page.
 */
export async function listStoreProducts({ db, table }: TableRef, storeId: number, limit: number, afterSku?: string): Promise<ProductPage> {
  const pk = principalKey('store', storeId).pk;
  const skus: { sku: string; productId: number }[] = [];
  let start: Record<string, unknown> | undefined = afterSku === undefined ? undefined : skuKey(storeId, afterSku);
  // One sku more than the page, to know whether another page follows.
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sku)',
        ExpressionAttributeValues: { ':pk': pk, ':sku': 'PRODUCT_SKU#' },
        Limit: limit + 1 - skus.length,
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of out.Items ?? []) skus.push({ sku: String(item.sk).slice('PRODUCT_SKU#'.length), productId: item.product_id as number });
    start = out.LastEvaluatedKey;
  } while (start && skus.length <= limit);
  const page = skus.slice(0, limit);
  const found = await getProducts({ db, table }, page.map((entry) => entry.productId));
  return {
    products: page.flatMap((entry) => {
      const product = found.get(entry.productId);
      return product && product.store_id === storeId ? [product] : [];
    }),
    ...(skus.length > limit ? { nextAfterSku: page.at(-1)!.sku } : {}),
  };
}

/** Several products in one round trip (at most 100, DynamoDB's BatchGetItem limit), unprocessed keys asked again. */
async function getProducts({ db, table }: TableRef, ids: readonly number[]): Promise<Map<number, Product>> {
  const found = new Map<number, Product>();
  let keys: Record<string, unknown>[] | undefined = [...new Set(ids)].slice(0, 100).map(productKey);
  for (let attempt = 0; keys && keys.length > 0 && attempt < 5; attempt++) {
    const out: BatchGetCommandOutput = await db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }));
    for (const item of out.Responses?.[table] ?? []) {
      const product = productOf(item);
      found.set(product.id, product);
    }
    keys = out.UnprocessedKeys?.[table]?.Keys;
  }
  // A page silently short of products would look like a smaller catalog: fail, and let the caller retry.
  if (keys && keys.length > 0) throw new Error(`${keys.length} products left unread after 5 attempts`);
  return found;
}

/**
 * Creates or replaces a store's product, keyed by its sku so a re-import
 * keeps product ids (and old messages' snapshots) stable.
 */
export async function upsertProduct(ref: TableRef, storeId: number, input: ProductInput, updated: string): Promise<{ product: Product; created: boolean }> {
  const mapping = await ref.db.send(new GetCommand({ TableName: ref.table, Key: skuKey(storeId, input.sku), ConsistentRead: true }));
  let id = mapping.Item?.product_id as number | undefined;
  let created = false;
  if (id === undefined) {
    const candidate = await nextId(ref, 'product');
    try {
      await ref.db.send(
        new PutCommand({
          TableName: ref.table,
          Item: { ...skuKey(storeId, input.sku), entity: 'product_sku', product_id: candidate },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      id = candidate;
      created = true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // A concurrent import of the same sku won; use its id.
      const winner = await ref.db.send(new GetCommand({ TableName: ref.table, Key: skuKey(storeId, input.sku), ConsistentRead: true }));
      id = winner.Item?.product_id as number;
    }
  }
  const product: Product = { ...input, id, store_id: storeId, updated };
  await ref.db.send(new PutCommand({ TableName: ref.table, Item: { ...productKey(id), entity: 'product', ...product } }));
  return { product, created };
}
