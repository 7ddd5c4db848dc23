import { Stack } from 'aws-cdk-lib';
import { WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ChatFunction, type ChatResources } from '../../infra/constructs/chat-function';
import { functionDefaults } from '../../lib/routes';
import { logicalIdOf, testApp } from './synth';

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
});
