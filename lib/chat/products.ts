import { chatTableRef, type Deps } from '../deps';
import { getProduct, snapshotOf, type ProductSnapshot } from '../entities/product';
import { NotFoundError } from '../errors';

/**
 * A product may be posted into a session of the store that owns it, by that
 * store or an admin. Another store's product is "not found", revealing nothing.
 */
export async function productForStore(deps: Deps, productId: number, storeId: number): Promise<ProductSnapshot> {
  const product = await getProduct(chatTableRef(deps), productId);
  if (!product || product.store_id !== storeId) throw new NotFoundError('Product not found', { product_id: ['Product not found'] });
  return snapshotOf(product);
}
