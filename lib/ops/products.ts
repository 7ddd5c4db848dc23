import * as z from '../validation';
import type { TableRef } from '../db/types';
import { BadRequestError, NotFoundError, type FieldErrors } from '../errors';
import { fieldErrors } from '../http/zod-errors';
import { getPrincipal } from '../entities/principal';
import { productInput, upsertProduct, type ProductInput } from '../entities/product';

/** Most products one import file may list. */
export const productImportMaxProducts = 1000;

/** How many products are written at once: small, so an import never crowds out live traffic. */
const importConcurrency = 4;

const productFile = z.object({
  products: z
    .array(productInput, { error: 'Must be an array of products, or an object {"products": [...]}' })
    .check(z.maxLength(productImportMaxProducts, `Must list at most ${productImportMaxProducts} products`)),
});

export interface ProductImportResult {
  imported: number;
  created: number;
  updated: number;
  /** In file order. */
  products: { id: number; sku: string }[];
}

/**
 * Validates a whole product file (an array of product objects, or
 * `{"products": [...]}`) and only then upserts every product into the store's
 * catalog, keyed by sku. Unknown fields are ignored. Throws NotFoundError for
 * a missing store and BadRequestError (errors keyed like "products.3.price")
 * for an invalid file; in both cases nothing is written.
 */
export async function importProducts(ref: TableRef, storeId: number, input: unknown, now = new Date()): Promise<ProductImportResult> {
  if (!(await getPrincipal(ref, 'store', storeId))) throw new NotFoundError(`store ${storeId} does not exist`);
  const products = parseProductFile(input);

  const updated = now.toISOString();
  const results = new Array<{ id: number; sku: string; created: boolean }>(products.length);
  let next = 0;
  const worker = async () => {
    while (next < products.length) {
      const index = next++;
      const { product, created } = await upsertProduct(ref, storeId, products[index]!, updated);
      results[index] = { id: product.id, sku: product.sku, created };
    }
  };
  await Promise.all(Array.from({ length: Math.min(importConcurrency, products.length) }, worker));

  const created = results.filter((result) => result.created).length;
  return {
    imported: results.length,
    created,
    updated: results.length - created,
    products: results.map(({ id, sku }) => ({ id, sku })),
  };
}

/** The file's products, or a BadRequestError naming every problem at once. */
export function parseProductFile(input: unknown): ProductInput[] {
  // A bare array (or anything that is not an object) is the products list itself.
  const file = typeof input === 'object' && input !== null && !Array.isArray(input) ? input : { products: input };
  // Per-parse messages apply only where the schema set none, here a product that is not an object.
  const parsed = productFile.safeParse(file, { error: (issue) => (issue.code === 'invalid_type' && issue.expected === 'object' ? 'Must be an object' : undefined) });
  const errors: FieldErrors = parsed.success ? {} : fieldErrors(parsed.error);
  for (const [key, messages] of Object.entries(duplicateSkus(file))) (errors[key] ??= []).push(...messages);
  if (!parsed.success || Object.keys(errors).length > 0) throw new BadRequestError('Invalid product file', errors);
  return parsed.data.products;
}

/** Every repeat of a sku already listed earlier in the file, checked on the raw input so it is reported alongside other errors. */
function duplicateSkus(file: object): FieldErrors {
  const list = (file as { products?: unknown }).products;
  if (!Array.isArray(list)) return {};
  const errors: FieldErrors = {};
  const seen = new Set<string>();
  list.forEach((item: unknown, index) => {
    const sku = typeof item === 'object' && item !== null ? (item as { sku?: unknown }).sku : undefined;
    if (typeof sku !== 'string') return;
    if (seen.has(sku)) errors[`products.${index}.sku`] = ['Appears twice in the file'];
    seen.add(sku);
  });
  return errors;
}
