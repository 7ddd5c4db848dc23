import type { Connection } from '../../lib/entities/connection';
import { connectionsOverCap } from '../../lib/realtime/disconnect';

const row = (id: string, second: number): Connection => ({
  connection_id: id,
  audience: 'admins',
  member: `1#${id}`,
  principal_type: 'admin',
  principal_id: 1,
  connected_at: new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString(),
  expires_at: 0,
});

describe('connectionsOverCap', () => {
  it('picks the oldest past the cap, counting the new connection', () => {
    const rows = [row('c', 3), row('a', 1), row('d', 4), row('b', 2)];

    expect(connectionsOverCap(rows, rows[2]!, 3).map((r) => r.connection_id)).toEqual(['a']);
  });

  it('never picks the new connection, even when its clock is behind, and counts it when the index does not list it yet', () => {
    const own = row('new', 0);
    const rows = [row('a', 1), row('b', 2), row('c', 3)];

    expect(connectionsOverCap(rows, own, 3).map((r) => r.connection_id)).toEqual(['a']);
  });

  it('picks nothing at or under the cap', () => {
    const rows = [row('a', 1), row('b', 2)];

    expect(connectionsOverCap(rows, rows[1]!, 2)).toEqual([]);
  });
});
