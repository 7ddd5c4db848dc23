import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { attachmentsPrefix, uploadRetentionDays, uploadsPrefix } from '../../lib/attachments/policy';
import { chatTable, connectionsTable, type KeyAttribute, type TableSpec } from '../../lib/db/schema';
import { authorizers, functionDefaults, functionSpecs, httpCatchAll, httpRoutes, wsRouteSelectionExpression, wsRoutes, type Access } from '../../lib/routes';
import { loadViewerRequestFunction } from '../../infra/local/edge';
import { runtimeSourceMaps } from '../../infra/constructs/bundling';
import { viewerRequestFunctionPath } from '../../infra/paths';
import { ChatStack, noncurrentVersionRetentionDays } from '../../infra/stack';
import { logicalIdOf, references, resourceOf, resourcesOf, testApp, type Ref } from './synth';

// AWS-managed CloudFront policies, by their documented ids.
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

type Join = { 'Fn::Join': [string, unknown[]] };
interface RouteProps {
  ApiId: Ref;
  RouteKey: string;
  AuthorizationType?: string;
  AuthorizerId?: Ref;
  Target: Join;
}
interface IntegrationProps {
  ApiId: Ref;
  IntegrationUri: unknown;
  PayloadFormatVersion?: string;
}
interface FunctionProps {
  Description: string;
  Role: { 'Fn::GetAtt': [string, string] };
  Environment: { Variables: Record<string, unknown> };
  LoggingConfig?: { LogGroup?: Ref };
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
interface PolicyProps {
  Roles: Ref[];
  PolicyDocument: { Statement: Statement[] };
}
interface GlobalTableProps {
  KeySchema: { AttributeName: string; KeyType: string }[];
  AttributeDefinitions: { AttributeName: string; AttributeType: string }[];
  GlobalSecondaryIndexes?: unknown[];
  BillingMode: string;
  Replicas: { PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled: boolean }; DeletionProtectionEnabled?: boolean }[];
  TimeToLiveSpecification?: unknown;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();
const usesAttachments = (access: readonly Access[]): boolean => access.some((item) => item.startsWith('attachments:'));

let stack: ChatStack;
let template: Template;
let assemblyDir: string;

beforeAll(() => {
  const app = testApp({ bundle: true });
  stack = new ChatStack(app, 'SupportChat');
  template = Template.fromStack(stack);
  assemblyDir = app.synth().directory;
}, 120_000);

const fnId = (name: string): string => logicalIdOf(stack.functions.get(name)!);
const consoleDeploymentHandlerId = (): string => logicalIdOf(stack.console.deployment.handlerRole.node.scope!);
const tableId = (spec: TableSpec): string => logicalIdOf(stack.node.findChild(spec.id));
const bucketId = (): string => logicalIdOf(stack.attachmentsBucket);

function routesOf(apiId: string): [string, RouteProps][] {
  return Object.entries(resourcesOf<RouteProps>(template, 'AWS::ApiGatewayV2::Route')).flatMap(([id, route]) =>
    route.Properties.ApiId.Ref === apiId ? [[id, route.Properties] as [string, RouteProps]] : [],
  );
}

function routeWithKey(apiId: string, routeKey: string): [string, RouteProps] {
  const matches = routesOf(apiId).filter(([, props]) => props.RouteKey === routeKey);
  expect(matches).toHaveLength(1);
  return matches[0]!;
}

function integrationOf(route: RouteProps): IntegrationProps {
  const [prefix, target] = route.Target['Fn::Join'][1] as [string, Ref];
  expect(prefix).toBe('integrations/');
  return resourceOf<IntegrationProps>(template, 'AWS::ApiGatewayV2::Integration', target.Ref).Properties;
}

function authorizersOf(apiId: string): [string, Record<string, unknown>][] {
  return Object.entries(resourcesOf<Record<string, unknown> & { ApiId: Ref }>(template, 'AWS::ApiGatewayV2::Authorizer')).flatMap(([id, authorizer]) =>
    authorizer.Properties.ApiId.Ref === apiId ? [[id, authorizer.Properties] as [string, Record<string, unknown>]] : [],
  );
}

function soleAuthorizerId(apiId: string): string {
  const found = authorizersOf(apiId);
  expect(found).toHaveLength(1);
  return found[0]![0];
}

function functionProps(name: string): FunctionProps {
  return resourceOf<FunctionProps>(template, 'AWS::Lambda::Function', fnId(name)).Properties;
}

/** Every (action, resource) pair the function's role is allowed. */
function grantsOf(name: string): { action: string; resource: unknown }[] {
  const roleId = functionProps(name).Role['Fn::GetAtt'][0];
  return Object.values(resourcesOf<PolicyProps>(template, 'AWS::IAM::Policy'))
    .filter((policy) => policy.Properties.Roles.some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .flatMap((statement) => {
      expect(statement.Effect).toBe('Allow');
      return asList(statement.Action).flatMap((action) => asList(statement.Resource).map((resource) => ({ action, resource })));
    });
}

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** `${scheme}${api}.execute-api.${region}.${urlSuffix}${path}`, as an environment-agnostic stack renders it. */
function executeApiUrl(scheme: string, apiId: string, path: string): Join {
  const parts: unknown[] = [{ Ref: apiId }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }];
  if (scheme) parts.unshift(scheme);
  if (path) parts.push(path);
  return { 'Fn::Join': ['', parts] };
}

/** The spec for least privilege, written independently of the construct. */
function expectedDynamoGrants(access: readonly Access[]): string[] {
  const chat = arnOf(tableId(chatTable));
  const connections = arnOf(tableId(connectionsTable));
  // Each index by name: no index/* wildcard.
  const indexes = connectionsTable.globalIndexes.map((index) => ({ 'Fn::Join': ['', [connections, `/index/${index.name}`]] }));
  const byAccess: Record<Access, [string[], unknown[]]> = {
    'chat:read': [['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'], [chat]],
    'chat:write': [['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'], [chat]],
    'connections:read': [['dynamodb:Query', 'dynamodb:GetItem'], [connections, ...indexes]],
    'connections:write': [['dynamodb:PutItem', 'dynamodb:DeleteItem'], [connections]],
    push: [[], []],
    'attachments:upload': [[], []],
    'attachments:attach': [[], []],
    'attachments:read': [[], []],
  };
  return sorted(
    access.flatMap((item) => {
      const [actions, resources] = byAccess[item];
      return actions.flatMap((action) => resources.map((resource) => `${action} ${JSON.stringify(resource)}`));
    }),
  );
}

function expectedActions(access: readonly Access[]): string[] {
  const byAccess: Record<Access, string[]> = {
    'chat:read': ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
    'chat:write': ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
    'connections:read': ['dynamodb:Query', 'dynamodb:GetItem'],
    'connections:write': ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
    push: ['execute-api:ManageConnections'],
    'attachments:upload': ['s3:PutObject', 's3:GetObject'],
    'attachments:attach': ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
    'attachments:read': ['s3:GetObject'],
  };
  return sorted(access.flatMap((item) => byAccess[item]));
}

/** Object keys under one prefix of the attachments bucket. */
const objectsUnder = (prefix: string) => ({ 'Fn::Join': ['', [arnOf(bucketId()), `/${prefix}*`]] });

/** (action, object ARN) pairs, as expectedDynamoGrants but for the attachments bucket. */
function expectedS3Grants(access: readonly Access[]): string[] {
  const uploads = objectsUnder(uploadsPrefix);
  const attachments = objectsUnder(attachmentsPrefix);
  const none: [string, unknown][] = [];
  const byAccess: Record<Access, [string, unknown][]> = {
    'chat:read': none,
    'chat:write': none,
    'connections:read': none,
    'connections:write': none,
    push: none,
    'attachments:upload': [
      ['s3:PutObject', uploads],
      ['s3:GetObject', uploads],
    ],
    // CopyObject: read the upload, write the attachment; DeleteObject: undo the copy of a refused send.
    'attachments:attach': [
      ['s3:GetObject', uploads],
      ['s3:PutObject', attachments],
      ['s3:DeleteObject', attachments],
      ['s3:DeleteObjectVersion', attachments],
    ],
    'attachments:read': [['s3:GetObject', attachments]],
  };
  return sorted(access.flatMap((item) => byAccess[item].map(([action, resource]) => `${action} ${JSON.stringify(resource)}`)));
}

describe('the HTTP API', () => {
  it.each(httpRoutes)('routes "$method $path" ($name) to its own Lambda with no API Gateway authorizer', (spec) => {
    // Arrange
    const apiId = logicalIdOf(stack.httpApi);

    // Act
    const [, route] = routeWithKey(apiId, `${spec.method} ${spec.path}`);
    const integration = integrationOf(route);

    // Assert: the function authenticates (lib/auth/http-identity.ts), so no authorizer invocation precedes it.
    expect(route.AuthorizationType).toBe('NONE');
    expect(route.AuthorizerId).toBeUndefined();
    expect(integration).toMatchObject({ ApiId: { Ref: apiId }, PayloadFormatVersion: '2.0', IntegrationUri: arnOf(fnId(spec.name)) });
    expect(functionProps(spec.name).Description).toBe(spec.handler);
  });

  it('has no authorizer at all', () => {
    expect(authorizersOf(logicalIdOf(stack.httpApi))).toEqual([]);
  });

  it.each(httpRoutes)('lets $name read the token itself: GetItem on the chat table', (spec) => {
    const chat = arnOf(tableId(chatTable));

    const getItems = grantsOf(spec.name).filter((grant) => grant.action === 'dynamodb:GetItem').map((grant) => grant.resource);

    expect(getItems).toContainEqual(chat);
  });

  it('throttles its $default stage at 100 requests/s with a burst of 200 by default', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: logicalIdOf(stack.httpApi) },
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
  });

  it('takes its throttle from the httpThrottle stack prop', () => {
    const app = testApp({ bundle: false });

    const custom = new ChatStack(app, 'Throttled', { httpThrottle: { rateLimit: 5, burstLimit: 10 } });

    Template.fromStack(custom).hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
  });
});

describe('the WebSocket API', () => {
  it('selects routes with the manifest expression and deploys a prod stage automatically', () => {
    const apiId = logicalIdOf(stack.webSocketApi);

    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'WEBSOCKET', RouteSelectionExpression: wsRouteSelectionExpression });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { ApiId: { Ref: apiId }, StageName: 'prod', AutoDeploy: true });
  });

  it.each(wsRoutes)('routes "$routeKey" ($name) to its own Lambda', (spec) => {
    const [, route] = routeWithKey(logicalIdOf(stack.webSocketApi), spec.routeKey);

    const integration = integrationOf(route);

    expect(integration.ApiId).toEqual({ Ref: logicalIdOf(stack.webSocketApi) });
    expect(references(integration.IntegrationUri, fnId(spec.name))).toBe(true);
    expect(functionProps(spec.name).Description).toBe(spec.handler);
  });

  it('authorizes $connect, and only $connect, with no identity source, so a token in ?token= or Sec-WebSocket-Protocol reaches it', () => {
    const apiId = logicalIdOf(stack.webSocketApi);
    const authorizerId = soleAuthorizerId(apiId);
    const authorizer = resourceOf<Record<string, unknown>>(template, 'AWS::ApiGatewayV2::Authorizer', authorizerId).Properties;

    const routes = routesOf(apiId).map(([, props]) => props);

    expect(authorizer).toMatchObject({ AuthorizerType: 'REQUEST' });
    // With two identity sources API Gateway would require both; with none the authorizer always runs.
    expect(authorizer.IdentitySource ?? []).toEqual([]);
    expect(references(authorizer.AuthorizerUri, fnId(authorizers.ws.name))).toBe(true);
    for (const route of routes) {
      if (route.RouteKey === '$connect') expect(route).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
      else expect(route.AuthorizerId).toBeUndefined();
    }
  });

  it.each(wsRoutes)('gives "$routeKey" a $default route response exactly when returnResponse is $returnResponse', (spec) => {
    const [routeId] = routeWithKey(logicalIdOf(stack.webSocketApi), spec.routeKey);

    const responses = Object.values(resourcesOf<{ RouteId: Ref; RouteResponseKey: string }>(template, 'AWS::ApiGatewayV2::RouteResponse')).filter(
      (response) => response.Properties.RouteId.Ref === routeId,
    );

    expect(responses.map((response) => response.Properties.RouteResponseKey)).toEqual(spec.returnResponse ? ['$default'] : []);
  });
});

describe('the manifest and the template', () => {
  it('have the same HTTP route keys, none missing and none extra', () => {
    const deployed = routesOf(logicalIdOf(stack.httpApi)).map(([, props]) => props.RouteKey);

    expect(sorted(deployed)).toEqual(sorted([...httpRoutes.map((spec) => `${spec.method} ${spec.path}`), httpCatchAll.routeKey]));
    expect(deployed).toHaveLength(httpRoutes.length + 1);
  });

  it('have the same WebSocket route keys, none missing and none extra', () => {
    const deployed = routesOf(logicalIdOf(stack.webSocketApi)).map(([, props]) => props.RouteKey);

    expect(sorted(deployed)).toEqual(sorted(wsRoutes.map((spec) => spec.routeKey)));
    expect(deployed).toHaveLength(wsRoutes.length);
  });

  it('have one Lambda per route and authorizer, described by its handler file', () => {
    // Besides aws-cdk-lib's handler that copies the console into its bucket during deploys (console-site.test.ts).
    const deployed = Object.entries(resourcesOf<FunctionProps>(template, 'AWS::Lambda::Function'))
      .filter(([id]) => id !== consoleDeploymentHandlerId())
      .map(([, fn]) => fn.Properties.Description);

    expect(sorted(deployed)).toEqual(sorted(functionSpecs.map((spec) => spec.handler)));
    expect(deployed).toHaveLength(functionSpecs.length);
  });
});

describe('every function', () => {
  it.each(functionSpecs)('$name runs on arm64 Node 24 with the shared timeout and memory', (spec) => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: spec.handler,
      Architectures: ['arm64'],
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: functionDefaults.timeoutSeconds,
      MemorySize: functionDefaults.memoryMb,
    });
  });

  it.each(functionSpecs)('$name logs to its own log group kept for 30 days', (spec) => {
    const logGroup = functionProps(spec.name).LoggingConfig?.LogGroup;

    expect(logGroup).toBeDefined();
    expect(resourceOf(template, 'AWS::Logs::LogGroup', logGroup!.Ref).Properties).toMatchObject({ RetentionInDays: 30 });
  });

  it.each(functionSpecs)('$name gets both table names, source maps at runtime only if runtimeSourceMaps, and the callback URL only if it pushes', (spec) => {
    const wsApiId = logicalIdOf(stack.webSocketApi);

    const variables = functionProps(spec.name).Environment.Variables;

    expect(variables).toMatchObject({
      TABLE_NAME: { Ref: tableId(chatTable) },
      CONNECTIONS_TABLE_NAME: { Ref: tableId(connectionsTable) },
    });
    // The .map ships either way; loading it costs every cold start (docs/PERFORMANCE.md, "6. Cold start").
    expect(variables.NODE_OPTIONS === '--enable-source-maps').toBe(runtimeSourceMaps);
    if (spec.access.includes('push')) {
      expect(variables.WS_MANAGEMENT_ENDPOINT).toEqual(executeApiUrl('https://', wsApiId, '/prod'));
    } else {
      expect(variables).not.toHaveProperty('WS_MANAGEMENT_ENDPOINT');
    }
  });

  // Generic over the manifest: no route has attachments access yet, the ones that will are covered.
  it.each(functionSpecs)('$name gets BUCKET_NAME exactly when its access includes an attachments:* value', (spec) => {
    const variables = functionProps(spec.name).Environment.Variables;

    if (usesAttachments(spec.access)) {
      expect(variables.BUCKET_NAME).toEqual({ Ref: bucketId() });
    } else {
      expect(variables).not.toHaveProperty('BUCKET_NAME');
    }
  });

  it('bundles the AWS SDK into its code and ships a source map', () => {
    const metadata = (template.findResources('AWS::Lambda::Function') as Record<string, { Metadata: Record<string, string> }>)[fnId(httpRoutes[0]!.name)]!.Metadata;
    const assetDir = join(assemblyDir, metadata['aws:asset:path']!);

    const code = readFileSync(join(assetDir, 'index.js'), 'utf8');

    expect(existsSync(join(assetDir, 'index.js.map'))).toBe(true);
    // Error messages mention optional CRT packages, so look for the clients themselves.
    expect(code).not.toMatch(/require\(["']@aws-sdk\/(client|lib)-/);
    expect(code).toContain('DynamoDB_20120810'); // the DynamoDB client's wire protocol
  });

  it('ships source maps with names and lines but without the sources, which init would parse for nothing', () => {
    const metadata = (template.findResources('AWS::Lambda::Function') as Record<string, { Metadata: Record<string, string> }>)[fnId(httpRoutes[0]!.name)]!.Metadata;
    const assetDir = join(assemblyDir, metadata['aws:asset:path']!);

    const map = JSON.parse(readFileSync(join(assetDir, 'index.js.map'), 'utf8')) as { sources: string[]; sourcesContent?: unknown };

    expect(map.sources.some((source) => source.includes('functions/'))).toBe(true);
    expect(map.sourcesContent).toBeUndefined();
  });

  it('tree-shakes zod and the SDK: the send-message bundle stays under 700 KB', () => {
    const sendMessage = httpRoutes.find((route) => route.path === '/v1/chat/store/message')!;
    const metadata = (template.findResources('AWS::Lambda::Function') as Record<string, { Metadata: Record<string, string> }>)[fnId(sendMessage.name)]!.Metadata;

    const bytes = statSync(join(assemblyDir, metadata['aws:asset:path']!, 'index.js')).size;

    // Was 1.2 MB with `import { z }` and the SDK's CommonJS builds; docs/PERFORMANCE.md has the breakdown.
    expect(bytes).toBeLessThan(700_000);
  });
});

describe('least privilege', () => {
  it.each(functionSpecs)('$name may perform exactly the actions its access list implies', (spec) => {
    const actions = grantsOf(spec.name).map((grant) => grant.action);

    expect(sorted(actions)).toEqual(expectedActions(spec.access));
  });

  it.each(functionSpecs)('$name reaches only the tables and indexes its access list names', (spec) => {
    const dynamo = grantsOf(spec.name).filter((grant) => grant.action.startsWith('dynamodb:'));

    const pairs = dynamo.map((grant) => `${grant.action} ${JSON.stringify(grant.resource)}`);

    expect(sorted(pairs)).toEqual(expectedDynamoGrants(spec.access));
  });

  it.each(functionSpecs)('$name reaches only the attachment key prefixes its access list names', (spec) => {
    const s3 = grantsOf(spec.name).filter((grant) => grant.action.startsWith('s3:'));

    const pairs = s3.map((grant) => `${grant.action} ${JSON.stringify(grant.resource)}`);

    expect(sorted(pairs)).toEqual(expectedS3Grants(spec.access));
  });

  it.each(functionSpecs)('$name may manage WebSocket connections only on the prod stage, and only with push access', (spec) => {
    const manage = grantsOf(spec.name).filter((grant) => grant.action === 'execute-api:ManageConnections');

    expect(manage).toHaveLength(spec.access.includes('push') ? 1 : 0);
    for (const grant of manage) {
      expect(references(grant.resource, logicalIdOf(stack.webSocketApi))).toBe(true);
      expect(JSON.stringify(grant.resource)).toMatch(/\/prod\/\*\/@connections\/\*"\]\]\}$/);
    }
  });

  it("has no Scan and no wildcard action in any policy but the console deployment handler's", () => {
    // aws-cdk-lib's BucketDeployment grants (s3:GetObject* and the like) run only during deploys; nag.ts acknowledges each.
    const handlerRole = logicalIdOf(stack.console.deployment.handlerRole);
    const actions = Object.values(resourcesOf<PolicyProps>(template, 'AWS::IAM::Policy'))
      .filter((policy) => !policy.Properties.Roles.some((role) => role.Ref === handlerRole))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement.flatMap((statement) => asList(statement.Action)));

    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => action.includes('*') || action === 'dynamodb:Scan')).toEqual([]);
  });
});

describe('the tables', () => {
  const keySchema = (partitionKey: KeyAttribute, sortKey?: KeyAttribute) => [
    { AttributeName: partitionKey.name, KeyType: 'HASH' },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' }] : []),
  ];

  it.each([chatTable, connectionsTable] as TableSpec[])('$id has the key schema, indexes and TTL of its spec', (spec) => {
    const table = resourceOf<GlobalTableProps>(template, 'AWS::DynamoDB::GlobalTable', tableId(spec)).Properties;

    expect(table.KeySchema).toEqual(keySchema(spec.partitionKey, spec.sortKey));
    const keys = [spec.partitionKey, spec.sortKey, ...spec.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey])];
    for (const key of keys) if (key) expect(table.AttributeDefinitions).toContainEqual({ AttributeName: key.name, AttributeType: key.type });
    expect(table.GlobalSecondaryIndexes ?? []).toEqual(
      spec.globalIndexes.map((index) => ({
        IndexName: index.name,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: index.projection },
      })),
    );
    expect(table.TimeToLiveSpecification).toEqual(spec.ttlAttribute ? { AttributeName: spec.ttlAttribute, Enabled: true } : undefined);
  });

  it.each([chatTable, connectionsTable] as TableSpec[])('$id bills on demand, keeps PITR and survives stack deletion', (spec) => {
    const table = resourceOf<GlobalTableProps>(template, 'AWS::DynamoDB::GlobalTable', tableId(spec));

    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.Replicas).toHaveLength(1);
    expect(table.Properties.Replicas[0]).toMatchObject({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true });
    expect(table).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('the attachments bucket', () => {
  interface BucketPolicyProps {
    Bucket: Ref;
    PolicyDocument: { Statement: (Statement & { Principal?: unknown; Condition?: unknown })[] };
  }
  const bucket = () => resourceOf<Record<string, unknown>>(template, 'AWS::S3::Bucket', bucketId());

  it('blocks every form of public access and disables ACLs', () => {
    expect(bucket().Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  it('encrypts with S3-managed keys and keeps object versions, so an overwrite or delete can be undone', () => {
    const props = bucket().Properties;

    expect(props.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it(`expires noncurrent versions after ${noncurrentVersionRetentionDays} days, and the delete markers they leave`, () => {
    const rules = (bucket().Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;

    expect(rules).toContainEqual({
      NoncurrentVersionExpiration: { NoncurrentDays: noncurrentVersionRetentionDays },
      ExpiredObjectDeleteMarker: true,
      Status: 'Enabled',
    });
  });

  it('denies every request not made over TLS', () => {
    const policies = Object.values(resourcesOf<BucketPolicyProps>(template, 'AWS::S3::BucketPolicy')).filter(
      (policy) => policy.Properties.Bucket.Ref === bucketId(),
    );

    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        Resource: [arnOf(bucketId()), { 'Fn::Join': ['', [arnOf(bucketId()), '/*']] }],
      }),
    );
    // Nothing but denies: access goes through the functions' roles.
    for (const statement of policies[0]!.Properties.PolicyDocument.Statement) expect(statement.Effect).toBe('Deny');
  });

  it(`expires abandoned uploads under ${uploadsPrefix} after uploadRetentionDays, and stale multipart uploads everywhere after a day`, () => {
    const rules = (bucket().Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;

    expect(rules).toContainEqual({ Prefix: uploadsPrefix, ExpirationInDays: uploadRetentionDays, Status: 'Enabled' });
    // attachments/ (sent files) has no expiry: it is chat history.
    expect(rules.filter((rule) => 'ExpirationInDays' in rule)).toEqual([{ Prefix: uploadsPrefix, ExpirationInDays: uploadRetentionDays, Status: 'Enabled' }]);
    expect(rules).toContainEqual({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' });
  });

  it("lets browsers POST presigned uploads only, and only from the distribution's origin (the console's) by default", () => {
    const origin = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalIdOf(stack.distribution), 'DomainName'] }]] };

    // No request header to allow: the presigned form carries all S3 checks; downloads (<img>, links) need no CORS.
    expect(bucket().Properties.CorsConfiguration).toEqual({ CorsRules: [{ AllowedMethods: ['POST'], AllowedOrigins: [origin], MaxAge: 3000 }] });
  });

  it('takes its CORS origins from the attachmentsCorsOrigins stack prop', () => {
    const custom = new ChatStack(testApp({ bundle: false }), 'Cors', { attachmentsCorsOrigins: ['https://console.example.com', 'https://shop.example.com'] });

    Template.fromStack(custom).hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedOrigins: ['https://console.example.com', 'https://shop.example.com'] })] },
    });
  });

  it('survives stack deletion and replacement, with no auto-delete custom resource', () => {
    expect(bucket()).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });
});

describe('the trailing slash at the edge', () => {
  it('deploys infra/edge/viewer-request.js, byte for byte, as a cloudfront-js-2.0 function', () => {
    const source = readFileSync(viewerRequestFunctionPath, 'utf8');

    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: source,
      FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
      AutoPublish: true,
    });
  });

  it('puts the HTTP API behind CloudFront with the function on viewer request, uncached, forwarding everything but Host', () => {
    const functionId = logicalIdOf(stack.node.findChild('StripTrailingSlash'));

    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          AllowedMethods: Match.arrayWith(['POST']),
          CachePolicyId: CACHING_DISABLED,
          OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
          ViewerProtocolPolicy: 'https-only',
          FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } }],
        }),
        // The console's bucket is the other origin (console-site.test.ts).
        Origins: Match.arrayWith([
          Match.objectLike({
            DomainName: executeApiUrl('', logicalIdOf(stack.httpApi), ''),
            CustomOriginConfig: Match.objectLike({ OriginProtocolPolicy: 'https-only' }),
          }),
        ]),
      }),
    });
  });

  it("turns seed-000's POST /v1/chat/store/message/ into a route key the HTTP API has", () => {
    const rewrite = loadViewerRequestFunction();

    const path = rewrite('/v1/chat/store/message/', 'POST');

    expect(path).toBe('/v1/chat/store/message');
    expect(routesOf(logicalIdOf(stack.httpApi)).map(([, props]) => props.RouteKey)).toContain(`POST ${path}`);
  });
});

describe('the outputs', () => {
  it('publish the CloudFront URL, the API origin, the WebSocket URL and both table names', () => {
    template.hasOutput('HttpApiUrl', { Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalIdOf(stack.distribution), 'DomainName'] }]] } });
    template.hasOutput('HttpApiOriginUrl', { Value: { 'Fn::GetAtt': [logicalIdOf(stack.httpApi), 'ApiEndpoint'] } });
    template.hasOutput('WebSocketUrl', { Value: executeApiUrl('wss://', logicalIdOf(stack.webSocketApi), '/prod') });
    template.hasOutput('ChatTableName', { Value: { Ref: tableId(chatTable) } });
    template.hasOutput('ConnectionsTableName', { Value: { Ref: tableId(connectionsTable) } });
  });

  it('publish the attachments bucket name', () => {
    template.hasOutput('AttachmentsBucketName', { Value: { Ref: bucketId() } });
  });
});
