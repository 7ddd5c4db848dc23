/**
 * The physical layout of both tables. The CDK stack and the local stack build
 * their tables from these objects, and entity modules build their keys from
 * the attribute names here, so the three can never disagree.
 */
export type AttributeType = 'S' | 'N';

export interface KeyAttribute {
  name: string;
  type: AttributeType;
}

export interface GlobalIndexSpec {
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** KEYS_ONLY keeps index writes at 1 WCU; ALL saves a read when listing. */
  projection: 'ALL' | 'KEYS_ONLY';
}

export interface TableSpec {
  /** Construct id in the CDK stack; also the suffix of local table names. */
  id: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  globalIndexes: GlobalIndexSpec[];
  /** Attribute holding an epoch-seconds expiry, if the table uses TTL. */
  ttlAttribute?: string;
}

/** Sessions, messages, inbox entries, principals, tokens and counters. */
export const chatTable = {
  id: 'ChatTable',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalIndexes: [],
  /** Only short-lived bookkeeping (notification read marks, upload-ticket windows) expires; messages never do. */
  ttlAttribute: 'expires_at',
} as const satisfies TableSpec;

/** Live WebSocket connections, one item each, listed by audience. */
export const connectionsTable = {
  id: 'ConnectionsTable',
  partitionKey: { name: 'connection_id', type: 'S' },
  globalIndexes: [
    {
      name: 'by-audience',
      partitionKey: { name: 'audience', type: 'S' },
      sortKey: { name: 'member', type: 'S' },
      projection: 'ALL',
    },
  ],
  ttlAttribute: 'expires_at',
} as const satisfies TableSpec;

export const tableSpecs: readonly TableSpec[] = [chatTable, connectionsTable];
