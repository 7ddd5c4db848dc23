import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { Template } from 'aws-cdk-lib/assertions';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { runtimeSourceMaps } from '../../infra/constructs/bundling';
import { ChatFunction, type ChatResources } from '../../infra/constructs/chat-function';
import { acknowledgementsUnder } from '../../infra/nag';
import { attachmentsPrefix, uploadsPrefix } from '../../lib/attachments/policy';
import { connectionsTable } from '../../lib/db/schema';
import { functionDefaults, type Access } from '../../lib/routes';
import { logicalIdOf, resourcesOf, testApp } from './synth';

const handlerPath = 'functions/ws/default.ts';
/** Its manifest entry grants push and attachments, so its bundle carries every client. */
const everyClientHandler = 'functions/ws/send.ts';

function arrange(): { stack: Stack; resources: ChatResources } {
  const stack = new Stack(testApp({ bundle: false }), 'Test');
  const webSocketApi = new WebSocketApi(stack, 'Ws');
  return {
    stack,
    resources: {
      chatTable: new TableV2(stack, 'Chat', { partitionKey: { name: 'pk', type: AttributeType.STRING } }),
      connectionsTable: new TableV2(stack, 'Connections', { partitionKey: { name: 'id', type: AttributeType.STRING } }),
      webSocketStage: new WebSocketStage(stack, 'Stage', { webSocketApi, stageName: 'prod' }),
      attachmentsBucket: new Bucket(stack, 'Attachments'),
    },
  };
}

describe('ChatFunction', () => {
  it("keeps the caller's environment, and loads source maps at runtime exactly when runtimeSourceMaps says so", () => {
    const { stack } = arrange();

    // Lambda rejects one-letter names ([a-zA-Z][a-zA-Z0-9_]+), so not { X: '1' }.
    new ChatFunction(stack, 'Fn', { handlerPath, environment: { LOG_LEVEL: 'debug' } });

    const functions = Object.values(resourcesOf<{ Environment: { Variables: Record<string, unknown> } }>(Template.fromStack(stack), 'AWS::Lambda::Function'));
    expect(functions).toHaveLength(1);
    const variables = functions[0]!.Properties.Environment.Variables;
    expect(variables.LOG_LEVEL).toBe('debug');
    // docs/PERFORMANCE.md, "6. Cold start": the .map ships in the asset either way.
    const nodeOptions = typeof variables.NODE_OPTIONS === 'string' ? variables.NODE_OPTIONS : '';
    expect(nodeOptions.includes('--enable-source-maps')).toBe(runtimeSourceMaps);
  });

  it('refuses a handler the manifest does not name, whose clients it cannot know', () => {
    const { stack } = arrange();

    const build = () => new ChatFunction(stack, 'Fn', { handlerPath: 'bench/baselines/bare.ts' });

    expect(build).toThrow(/manifest/);
  });

  it('refuses to grant access whose client its bundle leaves out', () => {
    const { stack, resources } = arrange();
    const fn = new ChatFunction(stack, 'Fn', { handlerPath });

    const bind = () => fn.bindResources(resources, ['push']);

    expect(bind).toThrow(/push client/);
  });

  it('fixes runtime, architecture, sizing and description from the manifest', () => {
    const { stack } = arrange();

    new ChatFunction(stack, 'Fn', { handlerPath });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: functionDefaults.timeoutSeconds,
      MemorySize: functionDefaults.memoryMb,
      Description: handlerPath,
      LoggingConfig: { LogGroup: { Ref: logicalIdOf(stack.node.findChild('FnLogs')) } },
    });
  });

  it('binds table names but grants nothing for an empty access list', () => {
    const { stack, resources } = arrange();
    const fn = new ChatFunction(stack, 'Fn', { handlerPath });

    fn.bindResources(resources, []);

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { TABLE_NAME: { Ref: logicalIdOf(resources.chatTable) }, CONNECTIONS_TABLE_NAME: { Ref: logicalIdOf(resources.connectionsTable) } } },
    });
  });

  it('grants push as ManageConnections on the stage and sets its callback URL', () => {
    const { stack, resources } = arrange();
    const fn = new ChatFunction(stack, 'Fn', { handlerPath: everyClientHandler });

    fn.bindResources(resources, ['push']);

    const template = Template.fromStack(stack);
    const connections = `${stack.formatArn({ service: 'execute-api', resource: resources.webSocketStage.api.apiId })}/prod/*/@connections/*`;
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'execute-api:ManageConnections', Effect: 'Allow', Resource: stack.resolve(connections) }] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { WS_MANAGEMENT_ENDPOINT: stack.resolve(resources.webSocketStage.callbackUrl) } },
    });
  });

  describe('attachments access', () => {
    type Expected = { action: string; prefix: string }[];
    const cases: { access: Access; statements: Expected }[] = [
      {
        access: 'attachments:upload',
        statements: [
          { action: 's3:PutObject', prefix: uploadsPrefix },
          { action: 's3:GetObject', prefix: uploadsPrefix },
        ],
      },
      {
        access: 'attachments:attach',
        statements: [
          { action: 's3:GetObject', prefix: uploadsPrefix },
          { action: 's3:PutObject', prefix: attachmentsPrefix },
          { action: 's3:DeleteObject', prefix: attachmentsPrefix },
          { action: 's3:DeleteObjectVersion', prefix: attachmentsPrefix },
        ],
      },
      { access: 'attachments:read', statements: [{ action: 's3:GetObject', prefix: attachmentsPrefix }] },
    ];

    it.each(cases)('grants $access exactly its object-level actions on its prefixes', ({ access, statements }) => {
      const { stack, resources } = arrange();
      const fn = new ChatFunction(stack, 'Fn', { handlerPath: everyClientHandler });
      const bucketArn = { 'Fn::GetAtt': [logicalIdOf(resources.attachmentsBucket), 'Arn'] };

      fn.bindResources(resources, [access]);

      const policies = Object.values(resourcesOf<{ PolicyDocument: { Statement: unknown[] } }>(Template.fromStack(stack), 'AWS::IAM::Policy'));
      expect(policies).toHaveLength(1);
      // Compare (action, resource) pairs: minimizePolicies may merge statements on the same prefix.
      const pairs = (policies[0]!.Properties.PolicyDocument.Statement as { Action: string | string[]; Effect: string; Resource: unknown }[]).flatMap((statement) => {
        expect(statement.Effect).toBe('Allow');
        return [statement.Action].flat().map((action) => `${action} ${JSON.stringify(statement.Resource)}`);
      });
      const expected = statements.map(({ action, prefix }) => `${action} ${JSON.stringify({ 'Fn::Join': ['', [bucketArn, `/${prefix}*`]] })}`);
      expect(pairs.sort()).toEqual(expected.sort());
    });

    it.each(cases)('sets BUCKET_NAME for $access', ({ access }) => {
      const { stack, resources } = arrange();
      const fn = new ChatFunction(stack, 'Fn', { handlerPath: everyClientHandler });

      fn.bindResources(resources, [access]);

      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: { BUCKET_NAME: { Ref: logicalIdOf(resources.attachmentsBucket) } } },
      });
    });

    it('sets no BUCKET_NAME without attachments access', () => {
      const { stack, resources } = arrange();
      const fn = new ChatFunction(stack, 'Fn', { handlerPath: everyClientHandler });

      fn.bindResources(resources, ['chat:read', 'chat:write', 'connections:read', 'connections:write', 'push']);

      const functions = Object.values(resourcesOf<{ Environment: { Variables: Record<string, unknown> } }>(Template.fromStack(stack), 'AWS::Lambda::Function'));
      expect(functions).toHaveLength(1);
      expect(functions[0]!.Properties.Environment.Variables).not.toHaveProperty('BUCKET_NAME');
    });
  });
});

describe('ChatFunction operations', () => {
  type RoleProps = { ManagedPolicyArns?: unknown; Policies: { PolicyDocument: { Statement: unknown[] } }[] };

  it('runs under its own role, which may only create streams and put events in its own log group', () => {
    const { stack } = arrange();

    new ChatFunction(stack, 'Fn', { handlerPath });

    const template = Template.fromStack(stack);
    const roleId = logicalIdOf(stack.node.findChild('FnServiceRole'));
    const role = resourcesOf<RoleProps>(template, 'AWS::IAM::Role')[roleId]!.Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies.map((policy) => policy.PolicyDocument.Statement)).toEqual([
      [{ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalIdOf(stack.node.findChild('FnLogs')), 'Arn'] } }],
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', { Role: { 'Fn::GetAtt': [roleId, 'Arn'] } });
  });

  it('grants connections:read on each index the schema names, never index/*', () => {
    const { stack, resources } = arrange();
    const fn = new ChatFunction(stack, 'Fn', { handlerPath });

    fn.bindResources(resources, ['connections:read']);

    const text = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(text).not.toContain('/index/*');
    for (const index of connectionsTable.globalIndexes) expect(text).toContain(`/index/${index.name}`);
  });

  it('acknowledges AwsSolutions-IAM5 for each wildcard ARN it grants, on its own role, once', () => {
    const { stack, resources } = arrange();
    const fn = new ChatFunction(stack, 'Fn', { handlerPath: everyClientHandler });

    fn.bindResources(resources, ['push', 'attachments:attach', 'attachments:read', 'chat:read']);

    const acks = acknowledgementsUnder(stack);
    expect(acks.map((ack) => ack.path)).toEqual(acks.map(() => fn.role!.node.path));
    expect(acks.map((ack) => ack.id).sort()).toEqual(
      [
        `AwsSolutions-IAM5[Resource::<${logicalIdOf(resources.attachmentsBucket)}.Arn>/${uploadsPrefix}*]`,
        `AwsSolutions-IAM5[Resource::<${logicalIdOf(resources.attachmentsBucket)}.Arn>/${attachmentsPrefix}*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${logicalIdOf(resources.webSocketStage.api)}>/prod/*/@connections/*]`,
      ].sort(),
    );
  });

  it('alarms on errors, throttles and p99 duration above 80% of its timeout, over 5 minutes, notifying the action', () => {
    const { stack } = arrange();
    const fn = new ChatFunction(stack, 'Fn', { handlerPath });
    const topic = new Topic(stack, 'Topic');

    fn.addAlarms(new SnsAction(topic));

    const template = Template.fromStack(stack);
    const common = {
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(fn) } }],
      Period: 300,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalIdOf(topic) }],
      OKActions: [{ Ref: logicalIdOf(topic) }],
    };
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { ...common, MetricName: 'Errors', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { ...common, MetricName: 'Throttles', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...common,
      MetricName: 'Duration',
      ExtendedStatistic: 'p99',
      Threshold: functionDefaults.timeoutSeconds * 1000 * 0.8,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('ChatFunction bundles', () => {
  type FunctionMetadata = { Metadata: Record<string, string> };
  let code: (name: string, file?: string) => string;
  let exists: (name: string, file: string) => boolean;

  beforeAll(() => {
    const app = testApp({ bundle: true });
    const stack = new Stack(app, 'Bundles');
    const fns = { NoClients: new ChatFunction(stack, 'NoClients', { handlerPath }), EveryClient: new ChatFunction(stack, 'EveryClient', { handlerPath: everyClientHandler }) };
    const template = Template.fromStack(stack);
    const assembly = app.synth().directory;
    const assetDir = (name: keyof typeof fns) =>
      join(assembly, (template.findResources('AWS::Lambda::Function') as Record<string, FunctionMetadata>)[logicalIdOf(fns[name])]!.Metadata['aws:asset:path']!);
    code = (name, file = 'index.js') => readFileSync(join(assetDir(name as keyof typeof fns), file), 'utf8');
    exists = (name, file) => existsSync(join(assetDir(name as keyof typeof fns), file));
  }, 120_000);

  // Markers: each client's wire operations (docs/PERFORMANCE.md, "6. Cold start").
  it('leaves the @connections and S3 clients out of a function whose access grants neither', () => {
    const bundle = code('NoClients');

    expect(bundle).toContain('DynamoDB_20120810');
    expect(bundle).not.toContain('PostToConnection');
    expect(bundle).not.toContain('CopyObject');
    expect(exists('NoClients', 's3-store.js')).toBe(false);
  });

  it('bundles @connections where push is granted, and the S3 store as a file of its own loaded on first use', () => {
    const bundle = code('EveryClient');

    expect(bundle).toContain('PostToConnection');
    expect(bundle).not.toContain('CopyObject');
    expect(bundle).toMatch(/import\(["']\.\/s3-store\.js["']\)/);
    expect(code('EveryClient', 's3-store.js')).toContain('CopyObject');
    expect(exists('EveryClient', 's3-store.js.map')).toBe(true);
  });
});
