import { Template } from 'aws-cdk-lib/assertions';
import { chatTable, connectionsTable, tableSpecs, type TableSpec } from '../../lib/db/schema';
import { functionDefaults, functionSpecs } from '../../lib/routes';
import { ChatStack } from '../../infra/stack';
import { logicalIdOf, resourceOf, resourcesOf, testApp, type Ref } from './synth';

/** What ops get: encryption, retention, access logs, alarms, throttles. Structural, so no bundling. */

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
interface RoleProps {
  AssumeRolePolicyDocument: { Statement: Statement[] };
  ManagedPolicyArns?: unknown[];
  Policies?: { PolicyName: string; PolicyDocument: { Statement: Statement[] } }[];
}
interface FunctionProps {
  Description: string;
  Role: { 'Fn::GetAtt': [string, string] };
  LoggingConfig?: { LogGroup?: Ref };
}
interface MetricStat {
  Metric: { MetricName: string; Namespace: string; Dimensions: { Name: string; Value: unknown }[] };
  Period: number;
  Stat: string;
}
interface AlarmProps {
  MetricName?: string;
  Namespace?: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Statistic?: string;
  ExtendedStatistic?: string;
  Period?: number;
  Metrics?: { Id: string; Expression?: string; MetricStat?: MetricStat; ReturnData?: boolean }[];
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  TreatMissingData: string;
  AlarmActions: unknown[];
  OKActions: unknown[];
  AlarmDescription: string;
}
interface StageProps {
  ApiId: Ref;
  StageName: string;
  AccessLogSettings?: { DestinationArn: unknown; Format: string };
  DefaultRouteSettings?: { ThrottlingRateLimit: number; ThrottlingBurstLimit: number };
}

let stack: ChatStack;
let template: Template;

beforeAll(() => {
  stack = new ChatStack(testApp({ bundle: false }), 'SupportChat');
  template = Template.fromStack(stack);
});

const fnId = (name: string): string => logicalIdOf(stack.functions.get(name)!);
const tableId = (spec: TableSpec): string => logicalIdOf(stack.node.findChild(spec.id));
const topicId = (): string => logicalIdOf(stack.alarmTopic);
const alarms = (): AlarmProps[] => Object.values(resourcesOf<AlarmProps>(template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);

function stageOf(apiId: string): { id: string; props: StageProps } {
  const found = Object.entries(resourcesOf<StageProps>(template, 'AWS::ApiGatewayV2::Stage')).filter(([, stage]) => stage.Properties.ApiId.Ref === apiId);
  expect(found).toHaveLength(1);
  return { id: found[0]![0], props: found[0]![1].Properties };
}

describe('function logging', () => {
  it.each(functionSpecs)("$name's role may only create streams and put events in its own log group", (spec) => {
    const fn = resourceOf<FunctionProps>(template, 'AWS::Lambda::Function', fnId(spec.name)).Properties;
    const role = resourceOf<RoleProps>(template, 'AWS::IAM::Role', fn.Role['Fn::GetAtt'][0]).Properties;
    const ownGroup = fn.LoggingConfig?.LogGroup?.Ref;

    expect(ownGroup).toBeDefined();
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }]);
    // No AWSLambdaBasicExecutionRole: it may write to every log group in the account.
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies).toHaveLength(1);
    expect(role.Policies![0]!.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arnOf(ownGroup!) },
    ]);
  });

  it('grants logs: actions nowhere else', () => {
    const statements = Object.values(resourcesOf<{ PolicyDocument: { Statement: Statement[] } }>(template, 'AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement,
    );

    const logActions = statements.flatMap((statement) => [statement.Action].flat()).filter((action) => action.startsWith('logs:'));

    expect(logActions).toEqual([]);
  });

  it("uses no AWS-managed policy except on API Gateway's account-wide logging role and the console deployment's handler", () => {
    const withManaged = Object.entries(resourcesOf<RoleProps>(template, 'AWS::IAM::Role')).filter(([, role]) => role.Properties.ManagedPolicyArns);

    // The handler is aws-cdk-lib's BucketDeployment, which runs only during deploys (README "Security checks").
    expect(withManaged.map(([id]) => id).sort()).toEqual(
      [logicalIdOf(stack.node.findChild('ApiGatewayCloudWatchRole')), logicalIdOf(stack.console.deployment.handlerRole)].sort(),
    );
  });
});

describe('encryption', () => {
  it.each(tableSpecs)('encrypts $id with the AWS-managed DynamoDB key (alias/aws/dynamodb)', (spec) => {
    const table = resourceOf<{ SSESpecification?: unknown; Replicas: { SSESpecification?: unknown }[] }>(template, 'AWS::DynamoDB::GlobalTable', tableId(spec)).Properties;

    // SSEType KMS without a key id selects the AWS-managed key.
    expect(table.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(table.Replicas[0]!.SSESpecification).toBeUndefined();
  });

  it.each(['AttachmentsBucket', 'AccessLogsBucket'])('encrypts %s with S3-managed keys and denies requests without TLS', (id) => {
    const bucketId = logicalIdOf(stack.node.findChild(id));
    const bucket = resourceOf<{ BucketEncryption: unknown; PublicAccessBlockConfiguration: unknown }>(template, 'AWS::S3::Bucket', bucketId).Properties;
    const policies = Object.values(resourcesOf<{ Bucket: Ref; PolicyDocument: { Statement: Statement[] } }>(template, 'AWS::S3::BucketPolicy')).filter(
      (policy) => policy.Properties.Bucket.Ref === bucketId,
    );

    expect(bucket.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('the alarm topic', () => {
  const keyId = () => logicalIdOf(stack.node.findChild('AlarmTopicKey'));

  it('is encrypted with a customer-managed key that rotates and that CloudWatch may use', () => {
    const key = resourceOf<{ EnableKeyRotation: boolean; KeyPolicy: { Statement: Statement[] } }>(template, 'AWS::KMS::Key', keyId()).Properties;

    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(keyId()) });
    expect(key.EnableKeyRotation).toBe(true);
    // The AWS-managed SNS key cannot grant this, so alarms could not publish to a topic under it.
    expect(key.KeyPolicy.Statement).toContainEqual({
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    });
  });

  it("denies publishing without TLS and lets in only this account's CloudWatch alarms", () => {
    const policies = Object.values(resourcesOf<{ Topics: Ref[]; PolicyDocument: { Statement: Statement[] } }>(template, 'AWS::SNS::TopicPolicy')).filter((policy) =>
      policy.Properties.Topics.some((topic) => topic.Ref === topicId()),
    );

    expect(policies).toHaveLength(1);
    const statements = policies[0]!.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: { Ref: topicId() } }),
    );
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Resource: { Ref: topicId() } });
    expect(allows[0]!.Condition?.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    expect(JSON.stringify(allows[0]!.Condition?.ArnLike)).toContain(':alarm:*');
  });

  it('is published as the AlarmTopicArn output', () => {
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId() } });
  });
});

describe('alarms', () => {
  const notifiesTopic = (alarm: AlarmProps) => {
    expect(alarm.AlarmActions).toEqual([{ Ref: topicId() }]);
    expect(alarm.OKActions).toEqual([{ Ref: topicId() }]);
    expect(alarm).toMatchObject({ TreatMissingData: 'notBreaching', EvaluationPeriods: 1, DatapointsToAlarm: 1 });
  };

  it.each(functionSpecs)('$name has Errors >= 1, Throttles >= 1 and p99 Duration > 80% of its timeout, each over 5 minutes, to the topic', (spec) => {
    const own = alarms().filter((alarm) => JSON.stringify(alarm.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: fnId(spec.name) } }]));

    const byMetric = Object.fromEntries(own.map((alarm) => [alarm.MetricName, alarm]));

    expect(own).toHaveLength(3);
    const lambda = { Namespace: 'AWS/Lambda', Period: 300 };
    expect(byMetric.Errors).toMatchObject({ ...lambda, Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(byMetric.Throttles).toMatchObject({ ...lambda, Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(byMetric.Duration).toMatchObject({
      ...lambda,
      ExtendedStatistic: 'p99',
      Threshold: functionDefaults.timeoutSeconds * 1000 * 0.8,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    for (const alarm of own) notifiesTopic(alarm);
  });

  it.each(tableSpecs)('$id alarms on >= 1 throttled read or write, on the table and each index, over 5 minutes, to the topic', (spec) => {
    const own = alarms().filter((alarm) => alarm.Metrics?.some((query) => JSON.stringify(query.MetricStat?.Metric.Dimensions ?? []).includes(JSON.stringify({ Ref: tableId(spec) }))));

    expect(own).toHaveLength(1);
    const alarm = own[0]!;
    const stats = alarm.Metrics!.filter((query) => query.MetricStat);
    const expression = alarm.Metrics!.filter((query) => query.Expression);
    const scopes = [undefined, ...spec.globalIndexes.map((index) => index.name)];
    const expected = scopes.flatMap((index) =>
      ['ReadThrottleEvents', 'WriteThrottleEvents'].map((metricName) => ({
        metricName,
        dimensions: [...(index ? [{ Name: 'GlobalSecondaryIndexName', Value: index }] : []), { Name: 'TableName', Value: { Ref: tableId(spec) } }],
      })),
    );
    expect(stats.map((query) => ({ metricName: query.MetricStat!.Metric.MetricName, dimensions: query.MetricStat!.Metric.Dimensions }))).toEqual(
      expect.arrayContaining(expected),
    );
    expect(stats).toHaveLength(expected.length);
    for (const query of stats) expect(query.MetricStat).toMatchObject({ Metric: { Namespace: 'AWS/DynamoDB' }, Period: 300, Stat: 'Sum' });
    // One returned series, summing every metric with gaps read as zero.
    expect(expression).toHaveLength(1);
    expect(expression[0]!.ReturnData).not.toBe(false);
    for (const query of stats) expect(expression[0]!.Expression).toContain(`FILL(${query.Id}, 0)`);
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    notifiesTopic(alarm);
  });

  it('watches the HTTP API for >= 1 5xx response over 5 minutes, to the topic', () => {
    const own = alarms().filter((alarm) => alarm.Namespace === 'AWS/ApiGateway');

    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalIdOf(stack.httpApi) } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    notifiesTopic(own[0]!);
  });

  it('are exactly those, every one described and notifying the topic', () => {
    const all = alarms();

    expect(all).toHaveLength(3 * functionSpecs.length + tableSpecs.length + 1);
    for (const alarm of all) {
      notifiesTopic(alarm);
      expect(alarm.AlarmDescription.length).toBeGreaterThan(40);
    }
  });
});

describe('API access logs', () => {
  // Spelled out here, not imported: the test is the spec for what may be logged.
  const http = {
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    integrationLatency: '$context.integrationLatency',
  };
  const webSocket = {
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    eventType: '$context.eventType',
    connectionId: '$context.connectionId',
    status: '$context.status',
    integrationLatency: '$context.integrationLatency',
  };
  const cases = [
    { name: "the HTTP API's $default stage", api: () => stack.httpApi, logs: () => stack.httpAccessLogs, stageName: '$default', required: http },
    { name: "the WebSocket API's prod stage", api: () => stack.webSocketApi, logs: () => stack.webSocketAccessLogs, stageName: 'prod', required: webSocket },
  ];

  it.each(cases)('$name writes to its own log group, kept 3 months and retained with the stack', ({ api, logs, stageName }) => {
    const { props } = stageOf(logicalIdOf(api()));
    const group = resourceOf<{ RetentionInDays: number }>(template, 'AWS::Logs::LogGroup', logicalIdOf(logs()));

    expect(props.StageName).toBe(stageName);
    expect(props.AccessLogSettings?.DestinationArn).toEqual(arnOf(logicalIdOf(logs())));
    expect(group.Properties.RetentionInDays).toBe(90);
    expect(group).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it.each(cases)('$name logs one JSON object per request with the fields ops need', ({ api, required }) => {
    const format = stageOf(logicalIdOf(api())).props.AccessLogSettings!.Format;

    const fields = JSON.parse(format) as Record<string, string>;

    expect(fields).toMatchObject(required);
  });

  it.each(cases)('$name logs no query string, no header and nothing but $context variables', ({ api }) => {
    const format = stageOf(logicalIdOf(api())).props.AccessLogSettings!.Format;

    const values = Object.values(JSON.parse(format) as Record<string, string>);

    // The WebSocket token travels in ?token= or Sec-WebSocket-Protocol, the HTTP one in Authorization.
    for (const value of values) expect(value).toMatch(/^\$context\.[A-Za-z.]+$/);
    expect(format).not.toMatch(/query|header|userAgent|\$context\.path|\$request|\$input|\$method|Override|protocol|Sec-WebSocket/i);
    expect(values).not.toContain('$context.identity.userAgent');
  });

  it('keeps the two stages in different log groups', () => {
    expect(logicalIdOf(stack.httpAccessLogs)).not.toBe(logicalIdOf(stack.webSocketAccessLogs));
  });

  it('publishes both log group names as outputs', () => {
    template.hasOutput('HttpAccessLogGroupName', { Value: { Ref: logicalIdOf(stack.httpAccessLogs) } });
    template.hasOutput('WebSocketAccessLogGroupName', { Value: { Ref: logicalIdOf(stack.webSocketAccessLogs) } });
  });
});

describe("API Gateway's account-wide logging role", () => {
  const roleId = () => logicalIdOf(stack.node.findChild('ApiGatewayCloudWatchRole'));

  it('is set to a retained role with the AWS policy for it, before the WebSocket stage (which needs it) deploys', () => {
    const accounts = Object.entries(resourcesOf<{ CloudWatchRoleArn: unknown }>(template, 'AWS::ApiGateway::Account'));
    const role = resourceOf<RoleProps>(template, 'AWS::IAM::Role', roleId());
    const stage = template.findResources('AWS::ApiGatewayV2::Stage')[stageOf(logicalIdOf(stack.webSocketApi)).id] as { DependsOn?: string[] };

    expect(accounts).toHaveLength(1);
    expect(accounts[0]![1].Properties.CloudWatchRoleArn).toEqual(arnOf(roleId()));
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } }]);
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toContain(':iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs');
    // The setting outlives the stack; it must never point at a deleted role.
    expect(role).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(stage.DependsOn).toContain(accounts[0]![0]);
  });

  it('is left alone when apiGatewayCloudWatchRole is false', () => {
    const shared = new ChatStack(testApp({ bundle: false }), 'Shared', { apiGatewayCloudWatchRole: false });
    const other = Template.fromStack(shared);

    other.resourceCountIs('AWS::ApiGateway::Account', 0);
    const roles = Object.entries(other.findResources('AWS::IAM::Role')) as [string, { Properties: RoleProps }][];
    // Only the console deployment's handler (aws-cdk-lib's) is left with one.
    expect(roles.filter(([, role]) => role.Properties.ManagedPolicyArns).map(([id]) => id)).toEqual([logicalIdOf(shared.console.deployment.handlerRole)]);
  });
});

describe('stage throttling', () => {
  it('throttles every WebSocket route at 100 requests/s with a burst of 200 by default', () => {
    expect(stageOf(logicalIdOf(stack.webSocketApi)).props.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
  });

  it('takes the WebSocket throttle from the webSocketThrottle stack prop, leaving the HTTP one alone', () => {
    const custom = new ChatStack(testApp({ bundle: false }), 'Throttled', { webSocketThrottle: { rateLimit: 5, burstLimit: 10 } });
    const other = Template.fromStack(custom);

    other.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: 'prod', DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } });
    other.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 } });
  });
});

describe('retention', () => {
  it('keeps every log group for a fixed time: never forever, never unset', () => {
    const groups = Object.values(resourcesOf<{ RetentionInDays?: number }>(template, 'AWS::Logs::LogGroup'));

    expect(groups).toHaveLength(functionSpecs.length + 2);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it.each([chatTable, connectionsTable] as TableSpec[])('retains $id and protects it from deletion', (spec) => {
    expect(resourceOf(template, 'AWS::DynamoDB::GlobalTable', tableId(spec))).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it.each(['AttachmentsBucket', 'AccessLogsBucket', 'HttpAccessLogs', 'WebSocketAccessLogs'])('retains %s when the stack is deleted or it is replaced', (id) => {
    const resource = template.toJSON().Resources[logicalIdOf(stack.node.findChild(id))] as { DeletionPolicy?: string; UpdateReplacePolicy?: string };

    expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('the access logs bucket', () => {
  const bucketId = () => logicalIdOf(stack.accessLogsBucket);

  it('receives the attachments bucket server access logs and CloudFront standard logs, under their own prefixes', () => {
    template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: { Ref: bucketId() }, LogFilePrefix: 's3/attachments/' } });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: { Logging: { Bucket: { 'Fn::GetAtt': [bucketId(), 'RegionalDomainName'] }, Prefix: 'cloudfront/' } },
    });
  });

  it('expires logs after 90 days, like the API access logs', () => {
    const rules = resourceOf<{ LifecycleConfiguration: { Rules: unknown[] } }>(template, 'AWS::S3::Bucket', bucketId()).Properties.LifecycleConfiguration.Rules;

    expect(rules).toContainEqual({ ExpirationInDays: 90, Status: 'Enabled' });
  });

  it('is published as the AccessLogsBucketName output', () => {
    template.hasOutput('AccessLogsBucketName', { Value: { Ref: bucketId() } });
  });
});

describe('asynchronous invocation', () => {
  // Nothing here may retry silently and drop events: a new async source needs a DLQ or onFailure first.
  it('has none: every function is invoked synchronously by API Gateway', () => {
    const permissions = Object.values(resourcesOf<{ Principal: string }>(template, 'AWS::Lambda::Permission'));

    expect(permissions.length).toBeGreaterThan(0);
    for (const permission of permissions) expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
    for (const type of ['AWS::Lambda::EventSourceMapping', 'AWS::Lambda::EventInvokeConfig', 'AWS::SNS::Subscription', 'AWS::SQS::Queue', 'AWS::Events::Rule', 'Custom::S3BucketNotifications']) {
      template.resourceCountIs(type, 0);
    }
  });
});
