import { chatTableRef, type Deps } from '../deps';
import { getProduct, type Product } from '../entities/product';
import { NotFoundError } from '../errors';

/** What a product message embeds: the product as it was when posted. */
export type ProductSnapshot = Omit<Product, 'store_id' | 'updated'>;

export function snapshotOf(product: Product): ProductSnapshot {
  const { store_id: _store, updated: _updated, ...snapshot } = product;
  return snapshot;
}

/**
 * A product may be posted into a session of the store that owns it, by that
 * store or an admin. Another store's product is "not found", revealing nothing.
 */
export async function productForStore(deps: Deps, productId: number, storeId: number): Promise<ProductSnapshot> {
  const product = await getProduct(chatTableRef(deps), productId);
  if (!product || product.store_id !== storeId) throw new NotFoundError('Product not found', { product_id: ['Product not found'] });
  return snapshotOf(product);
}
