import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MiddlewareStack } from '@smithy/types';
import { grants, objectPrefixes, type GrantTarget } from '../../lib/access';
import type { ClientHooks } from '../../lib/deps';
import type { Access } from '../../lib/routes';

/**
 * IAM, locally. Each function's clients check every call against the grants
 * its manifest entry asks for (lib/access.ts, the table the CDK stack builds
 * role policies from), and fail as AWS does. A handler that reads a table its
 * route has no right to breaks here, not after a deploy. Presigning signs
 * locally and is not a call, so it is not checked.
 */
export interface GrantNames {
  chatTable: string;
  connectionsTable: string;
}

type Check = [action: string, target: GrantTarget | 'unknown', resource: string];

function allowedTargets(access: readonly Access[]): Map<string, Set<GrantTarget>> {
  const allowed = new Map<string, Set<GrantTarget>>();
  for (const grant of access.flatMap((item) => grants[item])) {
    for (const action of grant.actions) {
      const targets = allowed.get(action) ?? new Set<GrantTarget>();
      for (const target of grant.on) targets.add(target);
      allowed.set(action, targets);
    }
  }
  return allowed;
}

function tablesOf(input: Record<string, unknown>): string[] {
  if (typeof input.TableName === 'string') return [input.TableName];
  if (input.RequestItems && typeof input.RequestItems === 'object') return Object.keys(input.RequestItems);
  if (Array.isArray(input.TransactItems)) {
    return (input.TransactItems as Record<string, { TableName?: string }>[]).flatMap((item) => Object.values(item).map((op) => op.TableName ?? ''));
  }
  return [''];
}

function dynamoChecks(command: string, input: Record<string, unknown>, names: GrantNames): Check[] {
  const action = `dynamodb:${command.replace(/Command$/, '')}`;
  return tablesOf(input).map((table): Check => {
    if (table === names.chatTable) return [action, 'chat', table];
    if (table === names.connectionsTable) return [action, input.IndexName ? 'connections-indexes' : 'connections', table];
    return [action, 'unknown', table];
  });
}

function objectTarget(key: string): GrantTarget | 'unknown' {
  for (const target of ['uploads', 'attachments'] as const) if (key.startsWith(objectPrefixes[target] ?? '\0')) return target;
  return 'unknown';
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

function s3Checks(command: string, input: Record<string, unknown>): Check[] {
  const key = text(input.Key);
  switch (command) {
    case 'GetObjectCommand':
    case 'HeadObjectCommand':
      return [['s3:GetObject', objectTarget(key), key]];
    case 'PutObjectCommand':
      return [['s3:PutObject', objectTarget(key), key]];
    case 'DeleteObjectCommand':
      // As in S3: deleting a named version needs its own permission.
      return [[input.VersionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject', objectTarget(key), key]];
    case 'CopyObjectCommand': {
      const source = decodeURIComponent(text(input.CopySource).replace(/^[^/]*\//, ''));
      return [
        ['s3:GetObject', objectTarget(source), source],
        ['s3:PutObject', objectTarget(key), key],
      ];
    }
    default:
      return [[`s3:${command.replace(/Command$/, '')}`, 'unknown', key]];
  }
}

const denied = (fn: string, action: string, resource: string) =>
  Object.assign(new Error(`User: local/${fn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`), {
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });

function guard<Input extends object, Output extends object>(
  stack: MiddlewareStack<Input, Output>,
  fn: string,
  allowed: Map<string, Set<GrantTarget>>,
  checksOf: (command: string, input: Record<string, unknown>) => Check[],
): void {
  stack.add(
    (next, context) => async (args) => {
      for (const [action, target, resource] of checksOf(context.commandName ?? '', args.input as Record<string, unknown>)) {
        if (target === 'unknown' || !allowed.get(action)?.has(target)) throw denied(fn, action, resource);
      }
      return next(args);
    },
    { step: 'initialize', name: 'localGrantCheck' },
  );
}

/** Client hooks that hold one function to the grants of its manifest entry. */
export function enforceGrants(fn: string, access: readonly Access[], names: GrantNames): ClientHooks {
  const allowed = allowedTargets(access);
  return {
    dynamodb: (client: DynamoDBDocumentClient) => guard(client.middlewareStack, fn, allowed, (command, input) => dynamoChecks(command, input, names)),
    s3: (client: S3Client) => guard(client.middlewareStack, fn, allowed, s3Checks),
    push: (client: ApiGatewayManagementApiClient) =>
      guard(client.middlewareStack, fn, allowed, (command, input) => [['execute-api:ManageConnections', 'websocket', text(input.ConnectionId) || command]]),
  };
}
