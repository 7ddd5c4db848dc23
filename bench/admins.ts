import { connectionsTableRef } from '../lib/deps';
import { listAdminConnections } from '../lib/entities/connection';
import type { IssuedCredential } from '../lib/ops/principals';
import type { BenchEnv } from './env';
import type { AdminSocket } from './socket';
import { pool, sleep } from './stats';

export interface OnlineAdmin extends IssuedCredential {
  socket: AdminSocket;
}

/** The admins online at a point of the run; grows from 1 to 500 as the fan-out levels go up. */
export class AdminPool {
  readonly online: OnlineAdmin[] = [];

  constructor(
    private readonly env: BenchEnv,
    private readonly credentials: readonly IssuedCredential[],
  ) {}

  /** Connects admins until `count` are online, then waits until the connections index lists exactly them. */
  async ensure(count: number): Promise<OnlineAdmin[]> {
    if (count > this.credentials.length) throw new Error(`only ${this.credentials.length} admins were created`);
    const missing = this.credentials.slice(this.online.length, count);
    const added: OnlineAdmin[] = new Array<OnlineAdmin>(missing.length);
    await pool(missing, 16, async (admin, i) => {
      added[i] = { ...admin, socket: await this.env.connect(admin.token) };
    });
    this.online.push(...added);
    await untilAdminConnections(this.env, count);
    return this.online.slice(0, count);
  }

  /** Disconnects the newest admins until `count` remain, then waits until $disconnect removed their rows. */
  async shrink(count: number): Promise<void> {
    const leaving = this.online.splice(count);
    await Promise.all(leaving.map((admin) => admin.socket.close()));
    await untilAdminConnections(this.env, count);
  }
}

/** $connect and $disconnect write the rows the fan-out reads; a measurement starts only once they settle. */
export async function untilAdminConnections(env: BenchEnv, count: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await listAdminConnections(connectionsTableRef(env.stack.deps));
    if (rows.length === count) return;
    if (Date.now() > deadline) throw new Error(`expected ${count} admin connections, the index lists ${rows.length}`);
    await sleep(50);
  }
}
