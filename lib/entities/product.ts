import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
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

export async function getProduct({ db, table }: TableRef, id: number): Promise<Product | undefined> {
  const out = await db.send(new GetCommand({ TableName: table, Key: productKey(id), ConsistentRead: true }));
  if (!out.Item) return undefined;
  const { pk: _pk, sk: _sk, entity: _entity, ...product } = out.Item;
  return product as Product;
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
