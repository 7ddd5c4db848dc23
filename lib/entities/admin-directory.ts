import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from '../db/types';
import type { PrincipalProfile } from './principal';

/**
 * Every admin, one item each under one partition, so the console's list of
 * admins (README "List Admins (Admin)") is a Query, never a Scan. The item is
 * written with the admin's profile, in the same request (createPrincipal in
 * principal.ts), and carries the name: admins are never renamed.
 */
export interface AdminEntry {
  id: number;
  name: string;
  created: string;
}

/** The most admins one read returns (README "Limits"); 1,000 entries are about 100 KB, one Query page. */
export const adminDirectoryMax = 1000;

const directoryPk = 'DIRECTORY#admins';
/** Ids padded to 12 digits, as the inbox's session ids, so the sort key orders admins by id. */
export const adminEntryKey = (id: number) => ({ pk: directoryPk, sk: `ADMIN#${String(id).padStart(12, '0')}` });

/** The item for a new admin, for the profile's own write to carry along. */
export function adminEntryItem(profile: Pick<PrincipalProfile, 'id' | 'name' | 'created'>): Record<string, unknown> {
  const entry: AdminEntry = { id: profile.id, name: profile.name, created: profile.created };
  return { ...adminEntryKey(profile.id), entity: 'admin_entry', ...entry };
}

/**
 * Writes an existing admin's entry (idempotent): admins created before the
 * directory existed get one when a token is issued for them (lib/ops/principals.ts).
 */
export async function putAdminEntry({ db, table }: TableRef, profile: Pick<PrincipalProfile, 'id' | 'name' | 'created'>): Promise<void> {
  await db.send(new PutCommand({ TableName: table, Item: adminEntryItem(profile) }));
}

/** Admins by id, at most `max` (access pattern 2e). */
export async function listAdminEntries({ db, table }: TableRef, max = adminDirectoryMax): Promise<AdminEntry[]> {
  const entries: AdminEntry[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': directoryPk },
        Limit: max - entries.length,
        ExclusiveStartKey: cursor,
        ConsistentRead: true,
      }),
    );
    for (const item of out.Items ?? []) {
      const { id, name, created } = item as AdminEntry;
      entries.push({ id, name, created });
    }
    cursor = out.LastEvaluatedKey;
  } while (cursor && entries.length < max);
  return entries;
}
