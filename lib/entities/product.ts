import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { isConditionalCheckFailed, type TableRef } from '../db/types';
import { nextId } from './counter';
import { principalKey } from './principal';

/**
 * A store's catalog product, with the fields README "Ops CLI: stores, admins
 * and tokens" lists for `product import`. Messages embed a snapshot, so a
 * later import never changes history.
 */
export const productLanguages = ['en_GB', 'fr_FR', 'es_ES', 'de_DE'] as const;

const httpsUrl = z
  .string()
  .max(2048, 'Must be at most 2048 characters')
  .refine((value) => {
    try {
      return new URL(value).protocol === 'https:';
    } catch {
      return false;
    }
  }, 'Must be an https URL');
const money = z.number({ error: 'Must be a number' }).finite('Must be a number').min(0, 'Must not be negative').max(1e9, 'Is too large');
const count = z.number({ error: 'Must be an integer' }).int('Must be an integer').min(0, 'Must not be negative').max(1e9, 'Is too large');
const text = (max: number) => z.string({ error: 'Must be a string' }).max(max, `Must be at most ${max} characters`);

/** One product as an import file lists it (README, `product import`; `sku` identifies it within the store). */
export const productInput = z.object({
  sku: z.string({ error: 'Must be a string' }).regex(/^[A-Za-z0-9._-]{1,64}$/, 'Must be 1 to 64 letters, digits, dots, dashes or underscores'),
  name: text(200).nullable().default(null),
  type: text(100).nullable().default(null),
  discount_percentage: z.number({ error: 'Must be a number' }).min(0, 'Must be from 0 to 100').max(100, 'Must be from 0 to 100').default(0),
  price_catalog: money.default(0),
  reference_unit_price: money.default(0),
  price: money,
  youtube_id: z.string({ error: 'Must be a string' }).regex(/^[A-Za-z0-9_-]{6,20}$/, 'Must be a YouTube video id').nullable().default(null),
  url: httpsUrl.nullable().default(null),
  description: text(2000).nullable().default(null),
  images: z
    .array(z.object({ lang: z.enum(productLanguages, { error: `Must be one of ${productLanguages.join(', ')}` }), content: httpsUrl }))
    .max(productLanguages.length * 4, 'Has too many images')
    .default([]),
  stock: count.default(0),
  stock_available: count.default(0),
  old_image: httpsUrl.nullable().default(null),
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
