import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';
import type { TableRef } from '../../lib/db/types';
import { getPrincipal } from '../../lib/entities/principal';
import { hashToken } from '../../lib/entities/token';
import { createPrincipalWithToken, issueTokenFor, revokeTokenHash, type IssuedCredential } from '../../lib/ops/principals';

/** What persists between starts: ids and token hashes, never a token. */
const stateSchema = z.object({
  store_id: z.number().int(),
  admin_id: z.number().int(),
  token_hashes: z.array(z.string()),
});

export interface DemoCredentials {
  store: IssuedCredential;
  admin: IssuedCredential;
}

function readState(path: string | undefined) {
  if (!path || !existsSync(path)) return undefined;
  const parsed = stateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

/**
 * A ready demo store and admin. Each start issues fresh tokens and revokes
 * the previous start's, since only hashes are kept and a token cannot be shown twice.
 */
export async function prepareDemo(ref: TableRef, statePath?: string): Promise<DemoCredentials> {
  const state = readState(statePath);
  for (const hash of state?.token_hashes ?? []) await revokeTokenHash(ref, hash);
  const reuse = async (kind: 'store' | 'admin', id: number | undefined, name: string) =>
    (id !== undefined && (await getPrincipal(ref, kind, id)) ? await issueTokenFor(ref, kind, id) : undefined) ??
    (await createPrincipalWithToken(ref, kind, name));
  const store = await reuse('store', state?.store_id, 'Demo Store');
  const admin = await reuse('admin', state?.admin_id, 'Demo Admin');
  if (statePath) {
    mkdirSync(dirname(statePath), { recursive: true });
    writeFileSync(
      statePath,
      JSON.stringify({ store_id: store.id, admin_id: admin.id, token_hashes: [hashToken(store.token), hashToken(admin.token)] }, null, 2),
    );
  }
  return { store, admin };
}
