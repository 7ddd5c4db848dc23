import { Stack } from 'aws-cdk-lib';
import { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { ChatFunction, type ChatResources } from '../../infra/constructs/chat-function';
import { attachmentsPrefix, uploadsPrefix } from '../../lib/attachments/policy';
import { functionDefaults, type Access } from '../../lib/routes';
import { logicalIdOf, resourcesOf, testApp } from './synth';

const handlerPath = 'functions/ws/default.ts';

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
  it("merges the caller's environment with its own NODE_OPTIONS", () => {
    const { stack } = arrange();

    // Lambda rejects one-letter names ([a-zA-Z][a-zA-Z0-9_]+), so not { X: '1' }.
    new ChatFunction(stack, 'Fn', { handlerPath, environment: { LOG_LEVEL: 'debug' } });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { LOG_LEVEL: 'debug', NODE_OPTIONS: '--enable-source-maps' } },
    });
  });

  it('refuses to let the caller replace a variable it owns', () => {
    const { stack } = arrange();

    const build = () => new ChatFunction(stack, 'Fn', { handlerPath, environment: { NODE_OPTIONS: '--inspect' } });

    expect(build).toThrow(/NODE_OPTIONS/);
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
    const fn = new ChatFunction(stack, 'Fn', { handlerPath });

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
      { access: 'attachments:upload', statements: [{ action: 's3:PutObject', prefix: uploadsPrefix }] },
      {
        access: 'attachments:attach',
        statements: [
          { action: 's3:GetObject', prefix: uploadsPrefix },
          { action: 's3:PutObject', prefix: attachmentsPrefix },
        ],
      },
      { access: 'attachments:read', statements: [{ action: 's3:GetObject', prefix: attachmentsPrefix }] },
    ];

    it.each(cases)('grants $access as exactly $statements.length object-level statement(s) on its prefixes', ({ access, statements }) => {
      const { stack, resources } = arrange();
      const fn = new ChatFunction(stack, 'Fn', { handlerPath });
      const bucketArn = { 'Fn::GetAtt': [logicalIdOf(resources.attachmentsBucket), 'Arn'] };

      fn.bindResources(resources, [access]);

      const policies = Object.values(resourcesOf<{ PolicyDocument: { Statement: unknown[] } }>(Template.fromStack(stack), 'AWS::IAM::Policy'));
      expect(policies).toHaveLength(1);
      const actual = policies[0]!.Properties.PolicyDocument.Statement;
      const expected = statements.map(({ action, prefix }) => ({ Action: action, Effect: 'Allow', Resource: { 'Fn::Join': ['', [bucketArn, `/${prefix}*`]] } }));
      expect(actual).toHaveLength(expected.length);
      expect(actual).toEqual(expect.arrayContaining(expected));
    });

    it.each(cases)('sets BUCKET_NAME for $access', ({ access }) => {
      const { stack, resources } = arrange();
      const fn = new ChatFunction(stack, 'Fn', { handlerPath });

      fn.bindResources(resources, [access]);

      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: { BUCKET_NAME: { Ref: logicalIdOf(resources.attachmentsBucket) } } },
      });
    });

    it('sets no BUCKET_NAME without attachments access', () => {
      const { stack, resources } = arrange();
      const fn = new ChatFunction(stack, 'Fn', { handlerPath });

      fn.bindResources(resources, ['chat:read', 'chat:write', 'connections:read', 'connections:write', 'push']);

      const functions = Object.values(resourcesOf<{ Environment: { Variables: Record<string, unknown> } }>(Template.fromStack(stack), 'AWS::Lambda::Function'));
      expect(functions).toHaveLength(1);
      expect(functions[0]!.Properties.Environment.Variables).not.toHaveProperty('BUCKET_NAME');
    });
  });
});
