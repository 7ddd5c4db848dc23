import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What every entity function needs: a client and the table it works on. */
export interface TableRef {
  db: DynamoDBDocumentClient;
  table: string;
}

export function isConditionalCheckFailed(error: unknown): error is { name: string; Item?: Record<string, unknown> } {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ConditionalCheckFailedException';
}
