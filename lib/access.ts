import { attachmentsPrefix, uploadsPrefix } from './attachments/policy';
import type { Access } from './routes';

/**
 * What each manifest Access value allows, as IAM actions on named targets.
 * The CDK construct turns these into role policies; the local stack enforces
 * the same table on every call a function makes, so code that needs a right
 * its route does not have fails locally, not only in the cloud.
 */
export type GrantTarget = 'chat' | 'connections' | 'connections-indexes' | 'uploads' | 'attachments' | 'websocket';

export interface Grant {
  actions: readonly string[];
  on: readonly GrantTarget[];
}

export const grants: Record<Access, readonly Grant[]> = {
  'chat:read': [{ actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'], on: ['chat'] }],
  // BatchWriteItem: the inbox moves with one request, a put and a delete (syncInbox in lib/entities/inbox.ts).
  'chat:write': [{ actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'], on: ['chat'] }],
  'connections:read': [{ actions: ['dynamodb:Query', 'dynamodb:GetItem'], on: ['connections', 'connections-indexes'] }],
  'connections:write': [{ actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], on: ['connections'] }],
  push: [{ actions: ['execute-api:ManageConnections'], on: ['websocket'] }],
  // Presigned URLs carry the signer's rights, so these also bound what a link can do.
  'attachments:upload': [
    { actions: ['s3:PutObject'], on: ['uploads'] },
    // The endpoint's reachability probe: a HeadObject on the key it is about to issue.
    { actions: ['s3:GetObject'], on: ['uploads'] },
  ],
  // CopyObject reads the source and writes the target; DeleteObject(Version) removes the copy of a send the log
  // then refused with a 4xx, that very version, so the versioned bucket keeps no noncurrent copy of it
  // (README "Send Message": nothing is stored for any 4xx).
  'attachments:attach': [
    { actions: ['s3:GetObject'], on: ['uploads'] },
    { actions: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'], on: ['attachments'] },
  ],
  'attachments:read': [{ actions: ['s3:GetObject'], on: ['attachments'] }],
};

/** Object key prefixes of the attachment targets. */
export const objectPrefixes: Partial<Record<GrantTarget, string>> = { uploads: uploadsPrefix, attachments: attachmentsPrefix };
