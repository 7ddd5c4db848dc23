import { chatTableRef, connectionsTableRef, type Deps } from '../deps';
import { listAdminEntries } from '../entities/admin-directory';
import { listAdminConnections } from '../entities/connection';
import { getPrincipal } from '../entities/principal';

/** Who an admin token belongs to (README "Get Me (Admin)"). */
export interface AdminView {
  id: number;
  name: string;
}

/** An admin in the list, with presence: `online` while it holds at least one live WebSocket connection. */
export interface AdminPresenceView extends AdminView {
  online: boolean;
}

export interface AdminsList {
  admins: AdminPresenceView[];
}

export async function adminMe(deps: Deps, adminId: number): Promise<AdminView> {
  const profile = await getPrincipal(chatTableRef(deps), 'admin', adminId);
  // A token always has its profile; "" is the API's empty string should one be missing (README "Empty and absent").
  return { id: adminId, name: profile?.name ?? '' };
}

/**
 * Every admin by id (at most adminDirectoryMax, README "Limits"), each with
 * presence. Two reads in parallel: the directory (one Query of the chat table)
 * and every admin connection (one index Query, as an unclaimed session's
 * fan-out reads it), so the cost does not grow with a request per admin.
 */
export async function listAdmins(deps: Deps): Promise<AdminsList> {
  const [entries, connections] = await Promise.all([listAdminEntries(chatTableRef(deps)), listAdminConnections(connectionsTableRef(deps))]);
  const online = new Set(connections.map((connection) => connection.principal_id));
  return { admins: entries.map(({ id, name }) => ({ id, name, online: online.has(id) })) };
}
