import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClientHooks } from '../lib/deps';
import { nowMs } from './stats';

/**
 * Counts DynamoDB capacity the way AWS bills it: every command that accepts
 * ReturnConsumedCapacity gets 'TOTAL', and what comes back is summed, reads
 * and writes apart, per command and table. Installed on every function's
 * client through the local stack's clientHooks, so it sees exactly what the
 * handlers send, after their grant checks. It also times each request (start
 * and end, for the round-trip chain in bench/chain.ts) and each push's start
 * on the functions' @connections clients, and tags both with the function
 * whose client sent them.
 */

const readCommands = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand', 'TransactGetItemsCommand']);
const writeCommands = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

export interface MeterLine {
  /** e.g. "PutItem chat" or "Query connections/by-audience". */
  what: string;
  requests: number;
  rcu: number;
  wcu: number;
  /** Requests that failed (a lost conditional put still costs, but reports nothing). */
  failed: number;
}

/** One DynamoDB request as the handler saw it: from its client's send to the answer (bench/stats.ts nowMs). */
export interface RequestEvent {
  /** The function whose client sent it (its manifest name). */
  fn: string;
  what: string;
  /** A GetItem on a TOKEN# key: a token lookup, whichever function made it. */
  token: boolean;
  start: number;
  end: number;
  failed: boolean;
}

/** One @connections call (PostToConnection, DeleteConnection) leaving a function's client. */
export interface PushEvent {
  fn: string;
  command: string;
  start: number;
}

export interface MeterReading {
  /** Capacity and requests apart from the token lookups. */
  rcu: number;
  wcu: number;
  requests: number;
  /** Token lookups (GetItem TOKEN#…), whichever function's client made them: the HTTP authorizer's or a route function's own. */
  token: { rcu: number; requests: number };
  lines: MeterLine[];
  /** Every request, token lookups included, in the order they started. */
  events: RequestEvent[];
  pushes: PushEvent[];
}

type Input = Record<string, unknown>;

function tableOf(input: Input): string {
  if (typeof input.TableName === 'string') return input.TableName;
  if (input.RequestItems && typeof input.RequestItems === 'object') return Object.keys(input.RequestItems).join('+');
  return '?';
}

/** pk of a GetItem key, marshalled ({S: ...}) or not, depending on where the document client is in its stack. */
function keyText(input: Input): string {
  const key = input.Key as Record<string, unknown> | undefined;
  const pk = key?.pk;
  if (typeof pk === 'string') return pk;
  if (pk && typeof pk === 'object' && typeof (pk as { S?: unknown }).S === 'string') return (pk as { S: string }).S;
  return '';
}

const units = (capacity: ConsumedCapacity | ConsumedCapacity[] | undefined): number =>
  (Array.isArray(capacity) ? capacity : capacity ? [capacity] : []).reduce((sum, item) => sum + (item.CapacityUnits ?? 0), 0);

export class CapacityMeter {
  private lines = new Map<string, MeterLine>();
  private token = { rcu: 0, requests: 0 };
  private events: { tag: { fn: string }; event: Omit<RequestEvent, 'fn'> }[] = [];
  private pushes: { tag: { fn: string }; event: Omit<PushEvent, 'fn'> }[] = [];
  /** Friendly names for the run's tables, so lines read "chat" rather than a table name. */
  constructor(private readonly tableNames: Record<string, string>) {}

  /** For the local stack's clientHooks: each function's clients, metered under its manifest name. */
  readonly hooksFor = (fn: string): ClientHooks => ({ dynamodb: (client) => this.install(fn, client), push: (client) => this.installPush(fn, client) });

  private install(fn: string, client: DynamoDBDocumentClient): void {
    const tag = { fn };
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? '?';
        const input = args.input as Input;
        const metered = readCommands.has(command) || writeCommands.has(command);
        const sent = metered ? { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } } : args;
        const table = this.tableNames[tableOf(input)] ?? tableOf(input);
        const what = `${command.replace(/Command$/, '')} ${table}${typeof input.IndexName === 'string' ? `/${input.IndexName}` : ''}`;
        const isToken = command === 'GetItemCommand' && keyText(input).startsWith('TOKEN#');
        const start = nowMs();
        try {
          const result = await next(sent);
          this.events.push({ tag, event: { what, token: isToken, start, end: nowMs(), failed: false } });
          if (metered) {
            const consumed = units((result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity);
            if (isToken) {
              this.token.rcu += consumed;
              this.token.requests++;
            } else {
              this.add(what, readCommands.has(command) ? { rcu: consumed } : { wcu: consumed });
            }
          }
          return result;
        } catch (error) {
          this.events.push({ tag, event: { what, token: isToken, start, end: nowMs(), failed: true } });
          if (metered && !isToken) this.add(what, { failed: 1 });
          throw error;
        }
      },
      { step: 'initialize', name: 'benchCapacityMeter' },
    );
  }

  /** The start of every call a function's @connections client makes. */
  private installPush(fn: string, client: ApiGatewayManagementApiClient): void {
    const tag = { fn };
    client.middlewareStack.add(
      (next, context) => (args) => {
        this.pushes.push({ tag, event: { command: (context.commandName ?? '?').replace(/Command$/, ''), start: nowMs() } });
        return next(args);
      },
      { step: 'initialize', name: 'benchPushTimer' },
    );
  }

  private add(what: string, delta: { rcu?: number; wcu?: number; failed?: number }): void {
    const line = this.lines.get(what) ?? { what, requests: 0, rcu: 0, wcu: 0, failed: 0 };
    line.requests++;
    line.rcu += delta.rcu ?? 0;
    line.wcu += delta.wcu ?? 0;
    line.failed += delta.failed ?? 0;
    this.lines.set(what, line);
  }

  reset(): void {
    this.lines.clear();
    this.token = { rcu: 0, requests: 0 };
    this.events = [];
    this.pushes = [];
  }

  read(): MeterReading {
    // Copies: the live lines keep counting after the read.
    const lines = [...this.lines.values()].map((line) => ({ ...line })).sort((a, b) => a.what.localeCompare(b.what));
    return {
      rcu: lines.reduce((sum, line) => sum + line.rcu, 0),
      wcu: lines.reduce((sum, line) => sum + line.wcu, 0),
      requests: lines.reduce((sum, line) => sum + line.requests, 0),
      token: { ...this.token },
      lines,
      events: this.events.map(({ tag, event }) => ({ fn: tag.fn, ...event })).sort((a, b) => a.start - b.start),
      pushes: this.pushes.map(({ tag, event }) => ({ fn: tag.fn, ...event })).sort((a, b) => a.start - b.start),
    };
  }
}

/** "PutItem chat ×2 (2 WCU)" for the breakdown column. */
export function describeLines(lines: readonly MeterLine[]): string {
  return lines
    .map((line) => {
      const cost = [line.rcu ? `${line.rcu} RCU` : '', line.wcu ? `${line.wcu} WCU` : '', line.failed ? `${line.failed} failed` : ''].filter(Boolean).join(', ');
      return `${line.what} ×${line.requests}${cost ? ` (${cost})` : ''}`;
    })
    .join('; ');
}
