import * as z from '../validation';
import { chatTableRef, type Deps } from '../deps';
import { getPrincipal } from '../entities/principal';
import { listStoreProducts, productInput, snapshotOf, type ProductSnapshot } from '../entities/product';
import { NotFoundError } from '../errors';
import { decodeCursor, encodeCursor } from '../http/cursor';

/** A page of a store's catalog: each product as a product message embeds it (README "The message object"). */
export interface ProductsPage {
  products: ProductSnapshot[];
  next_cursor: string | null;
}

/** Only cursors this endpoint hands out: the last sku of a page, a sku as the importer takes it. */
const cursorSchema = z.strictObject({ after: productInput.shape.sku });

/** README "List Store Products (Admin)": a store's products in sku order, for the console's product picker. */
export async function listProducts(deps: Deps, storeId: number, limit: number, cursor: string | undefined): Promise<ProductsPage> {
  const after = decodeCursor(cursor, cursorSchema);
  const chat = chatTableRef(deps);
  const [store, page] = await Promise.all([getPrincipal(chat, 'store', storeId), listStoreProducts(chat, storeId, limit, after?.after)]);
  if (!store) throw new NotFoundError('Store not found');
  return {
    products: page.products.map(snapshotOf),
    next_cursor: page.nextAfterSku === undefined ? null : encodeCursor({ after: page.nextAfterSku }),
  };
}
