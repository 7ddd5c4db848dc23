import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { grants, objectPrefixes, type GrantTarget } from '../../lib/access';
import { functionDefaults, type Access } from '../../lib/routes';
import { repoRoot } from '../paths';

/** What the handlers reach at runtime; bindResources grants a slice of it. */
export interface ChatResources {
  readonly chatTable: ITable;
  readonly connectionsTable: ITable;
  readonly webSocketStage: WebSocketStage;
  readonly attachmentsBucket: IBucket;
}

const attachmentAccess: ReadonlySet<Access> = new Set<Access>(['attachments:upload', 'attachments:attach', 'attachments:read']);

/** Settings the construct owns; the rest of NodejsFunctionProps stays open. */
type FixedProps =
  | 'entry'
  | 'handler'
  | 'runtime'
  | 'architecture'
  | 'timeout'
  | 'memorySize'
  | 'bundling'
  | 'logGroup'
  | 'logRetention'
  | 'description'
  | 'environment';

export interface ChatFunctionProps extends Omit<NodejsFunctionProps, FixedProps> {
  /** The manifest's `handler`, relative to the repo root. */
  readonly handlerPath: string;
  /** Merged with the construct's own variables; redefining one of those throws. */
  readonly environment?: Record<string, string>;
}

const baseEnvironment: Readonly<Record<string, string>> = {
  NODE_OPTIONS: '--enable-source-maps',
};

function mergeEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  for (const [key, value] of Object.entries(extra)) {
    const fixed = baseEnvironment[key];
    if (fixed !== undefined && fixed !== value) {
      throw new Error(`ChatFunction: environment ${key} is set by the construct (${fixed}); refusing to replace it with ${value}`);
    }
  }
  return { ...baseEnvironment, ...extra };
}

/** One Lambda per manifest entry, with the settings every handler shares. */
export class ChatFunction extends NodejsFunction {
  readonly handlerPath: string;

  constructor(scope: Construct, id: string, props: ChatFunctionProps) {
    const { handlerPath, environment, ...rest } = props;
    // An explicit group, not logRetention, so retention needs no custom-resource Lambda.
    // It is a sibling: `this` cannot own children before super() returns.
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH });
    super(scope, id, {
      ...rest,
      entry: join(repoRoot, handlerPath),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      timeout: Duration.seconds(functionDefaults.timeoutSeconds),
      memorySize: functionDefaults.memoryMb,
      description: handlerPath,
      logGroup,
      environment: mergeEnvironment(environment),
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node24',
        // The SDK v3 is bundled too; whether the runtime's copy is faster is for a benchmark to decide.
        externalModules: [],
        forceDockerBundling: false,
      },
    });
    this.handlerPath = handlerPath;
  }

  /** Sets the variables lib/config.ts requires and grants exactly `access`, nothing else. */
  bindResources(resources: ChatResources, access: readonly Access[]): void {
    this.addEnvironment('TABLE_NAME', resources.chatTable.tableName);
    this.addEnvironment('CONNECTIONS_TABLE_NAME', resources.connectionsTable.tableName);
    if (access.some((item) => attachmentAccess.has(item))) this.addEnvironment('BUCKET_NAME', resources.attachmentsBucket.bucketName);
    for (const item of new Set(access)) this.grantAccess(item, resources);
  }

  /** Turns one manifest Access value into least-privilege IAM, from lib/access.ts. Never Scan, never a wildcard action; S3 grants stop at a key prefix. */
  grantAccess(access: Access, resources: ChatResources): void {
    const arns: Record<Exclude<GrantTarget, 'websocket'>, string> = {
      chat: resources.chatTable.tableArn,
      connections: resources.connectionsTable.tableArn,
      'connections-indexes': `${resources.connectionsTable.tableArn}/index/*`,
      uploads: resources.attachmentsBucket.arnForObjects(`${objectPrefixes.uploads}*`),
      attachments: resources.attachmentsBucket.arnForObjects(`${objectPrefixes.attachments}*`),
    };
    for (const grant of grants[access]) {
      if (grant.on.includes('websocket')) {
        resources.webSocketStage.grantManagementApiAccess(this);
        this.addEnvironment('WS_MANAGEMENT_ENDPOINT', resources.webSocketStage.callbackUrl);
        continue;
      }
      this.allow([...grant.actions], grant.on.map((target) => arns[target as Exclude<GrantTarget, 'websocket'>]));
    }
  }

  private allow(actions: string[], resources: string[]): void {
    this.addToRolePolicy(new PolicyStatement({ actions, resources }));
  }
}
