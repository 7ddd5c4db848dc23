import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type { WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { ComparisonOperator, Stats, type Alarm, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { grants, objectPrefixes, type GrantTarget } from '../../lib/access';
import { connectionsTable } from '../../lib/db/schema';
import { functionDefaults, functionSpecs, type Access } from '../../lib/routes';
import { acknowledge, wildcardResourceFinding } from '../nag';
import { repoRoot } from '../paths';
import { alarmPeriod, notifyingAlarm, slowShareOfTimeout } from './alarms';
import { clientDefines, clientsFor, functionBundling, lambdaNodeTarget, runtimeSourceMaps, s3StoreBuildCommand, s3StoreFile, type OptionalClient } from './bundling';

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
  | 'role'
  | 'description'
  | 'environment';

export interface ChatFunctionProps extends Omit<NodejsFunctionProps, FixedProps> {
  /** The manifest's `handler`, relative to the repo root. */
  readonly handlerPath: string;
  /** Added to the function's variables (NODE_OPTIONS included: the construct sets none while runtimeSourceMaps is off). */
  readonly environment?: Record<string, string>;
}

/** Why each kind of wildcard a grant needs is acceptable, for the AwsSolutions-IAM5 acknowledgement. */
const wildcardReasons: Record<'uploads' | 'attachments' | 'websocket', string> = {
  uploads:
    'Object keys under uploads/ are minted per upload (a presigned POST writes them; HeadObject and CopyObject read them); the grant is pinned to this bucket and the uploads/ prefix, the narrowest ARN that can name keys that do not exist yet.',
  attachments:
    'Object keys under attachments/ are minted per sent attachment (CopyObject writes them, DeleteObject undoes the copy of a refused send, GetObject and presigned GETs read them); the grant is pinned to this bucket and the attachments/ prefix, the narrowest ARN that can name them.',
  websocket:
    'An @connections ARN names a connection id API Gateway assigns at $connect, so it cannot be listed; the grant is pinned to this API and its stage, and the wildcards are the HTTP verb (POST pushes, DELETE closes) and the connection id.',
};

export interface FunctionAlarms {
  /** Any invocation error (uncaught exception, timeout, out of memory) in the period. */
  readonly errors: Alarm;
  /** Any invocation Lambda refused for lack of concurrency. */
  readonly throttles: Alarm;
  /** p99 duration above slowShareOfTimeout of the timeout. */
  readonly duration: Alarm;
}

/** Source maps load at runtime only if runtimeSourceMaps (bundling.ts) says so; the .map ships either way. */
const sourceMapEnvironment: Readonly<Record<string, string>> = runtimeSourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {};

/** Each manifest handler's access list: it decides which AWS clients the bundle carries (clientDefines). */
const manifestAccess = new Map<string, readonly Access[]>(
  functionSpecs.map((spec) => [spec.handler, spec.access]),
);

/** One Lambda per manifest entry, with the settings every handler shares. */
export class ChatFunction extends NodejsFunction {
  readonly handlerPath: string;
  /** The clients besides DynamoDB its bundle carries, from its manifest entry's access list. */
  readonly bundledClients: readonly OptionalClient[];
  private readonly acknowledgedFindings = new Set<string>();

  constructor(scope: Construct, id: string, props: ChatFunctionProps) {
    const { handlerPath, environment, ...rest } = props;
    const access = manifestAccess.get(handlerPath);
    if (!access) throw new Error(`ChatFunction: ${handlerPath} is no handler of the manifest (lib/routes.ts), so its bundle's clients are unknown`);
    const withS3 = clientsFor(access).includes('s3');
    // An explicit group, not logRetention, so retention needs no custom-resource Lambda.
    // It is a sibling: `this` cannot own children before super() returns.
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH });
    // Our own role instead of AWSLambdaBasicExecutionRole, which may write to every log group in the account.
    const role = new Role(scope, `${id}ServiceRole`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${handlerPath}`,
      inlinePolicies: {
        // The group exists (above), so no CreateLogGroup; its ARN ends in :* and so covers its streams.
        OwnLogGroup: new PolicyDocument({
          statements: [new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] })],
        }),
      },
    });
    super(scope, id, {
      ...rest,
      entry: join(repoRoot, handlerPath),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      timeout: Duration.seconds(functionDefaults.timeoutSeconds),
      memorySize: functionDefaults.memoryMb,
      description: handlerPath,
      role,
      logGroup,
      environment: { ...sourceMapEnvironment, ...environment },
      bundling: {
        ...functionBundling,
        mainFields: [...functionBundling.mainFields],
        // Only the clients its access needs; the S3 store as a file of its own, loaded on first use (bundling.ts).
        define: clientDefines(access),
        externalModules: [...functionBundling.externalModules, ...(withS3 ? [s3StoreFile.importPath] : [])],
        ...(withS3
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) => [s3StoreBuildCommand(inputDir, outputDir, lambdaNodeTarget)],
              },
            }
          : {}),
        target: lambdaNodeTarget,
        forceDockerBundling: false,
      },
    });
    this.handlerPath = handlerPath;
    this.bundledClients = clientsFor(access);
  }

  /** Sets the variables lib/config.ts requires and grants exactly `access`, nothing else. */
  bindResources(resources: ChatResources, access: readonly Access[]): void {
    // A grant whose client the bundle left out would fail at runtime (push silently); refuse it at synth.
    const missing = clientsFor(access).filter((client) => !this.bundledClients.includes(client));
    if (missing.length > 0) {
      throw new Error(`ChatFunction ${this.handlerPath}: access [${access.join(', ')}] needs the ${missing.join(', ')} client, which its manifest entry does not grant, so its bundle leaves it out`);
    }
    this.addEnvironment('TABLE_NAME', resources.chatTable.tableName);
    this.addEnvironment('CONNECTIONS_TABLE_NAME', resources.connectionsTable.tableName);
    if (access.some((item) => attachmentAccess.has(item))) this.addEnvironment('BUCKET_NAME', resources.attachmentsBucket.bucketName);
    for (const item of new Set(access)) this.grantAccess(item, resources);
  }

  /** Turns one manifest Access value into least-privilege IAM, from lib/access.ts. Never Scan, never a wildcard action; S3 grants stop at a key prefix, indexes are named. */
  grantAccess(access: Access, resources: ChatResources): void {
    const arns: Record<Exclude<GrantTarget, 'websocket' | 'connections-indexes'>, string> = {
      chat: resources.chatTable.tableArn,
      connections: resources.connectionsTable.tableArn,
      uploads: resources.attachmentsBucket.arnForObjects(`${objectPrefixes.uploads}*`),
      attachments: resources.attachmentsBucket.arnForObjects(`${objectPrefixes.attachments}*`),
    };
    for (const grant of grants[access]) {
      if (grant.on.includes('websocket')) {
        const stage = resources.webSocketStage;
        const connections = `${Stack.of(stage).formatArn({ service: 'execute-api', resource: stage.api.apiId })}/${stage.stageName}/*/@connections/*`;
        this.allow([...grant.actions], [connections], wildcardReasons.websocket);
        this.addEnvironment('WS_MANAGEMENT_ENDPOINT', stage.callbackUrl);
        continue;
      }
      const targets = grant.on.flatMap((target): string[] =>
        // Each index by name, from the schema, rather than index/*.
        target === 'connections-indexes'
          ? connectionsTable.globalIndexes.map((index) => `${resources.connectionsTable.tableArn}/index/${index.name}`)
          : [arns[target as keyof typeof arns]],
      );
      const prefixed = grant.on.find((target): target is 'uploads' | 'attachments' => target === 'uploads' || target === 'attachments');
      this.allow([...grant.actions], targets, prefixed && wildcardReasons[prefixed]);
    }
  }

  /** Errors, throttles and slow p99 duration, each over alarmPeriod, notifying `action`. */
  addAlarms(action: IAlarmAction): FunctionAlarms {
    const period = alarmPeriod;
    const what = `${this.handlerPath} (${this.node.id})`;
    const slowMs = Math.round((this.timeout ?? Duration.seconds(functionDefaults.timeoutSeconds)).toMilliseconds() * slowShareOfTimeout);
    return {
      errors: notifyingAlarm(this, 'ErrorsAlarm', {
        action,
        alarmDescription: `${what}: at least one failed invocation in ${period.toMinutes()} minutes (uncaught error, timeout or out of memory). See the function's log group.`,
        metric: this.metricErrors({ period, statistic: Stats.SUM }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      }),
      throttles: notifyingAlarm(this, 'ThrottlesAlarm', {
        action,
        alarmDescription: `${what}: at least one invocation throttled in ${period.toMinutes()} minutes; the account's Lambda concurrency is exhausted.`,
        metric: this.metricThrottles({ period, statistic: Stats.SUM }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      }),
      duration: notifyingAlarm(this, 'DurationAlarm', {
        action,
        alarmDescription: `${what}: p99 duration over ${slowMs} ms (${slowShareOfTimeout * 100}% of the timeout) in ${period.toMinutes()} minutes; requests are close to timing out.`,
        metric: this.metricDuration({ period, statistic: Stats.p(99) }),
        threshold: slowMs,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
    };
  }

  /** `wildcardReason` acknowledges each wildcard ARN in `resources` on this function's role, and only there. */
  private allow(actions: string[], resources: string[], wildcardReason?: string): void {
    this.addToRolePolicy(new PolicyStatement({ actions, resources }));
    if (!wildcardReason || !this.role) return;
    for (const arn of resources) {
      const finding = wildcardResourceFinding(this, arn);
      if (!finding || this.acknowledgedFindings.has(finding)) continue;
      acknowledge(this.role, finding, wildcardReason);
      this.acknowledgedFindings.add(finding);
    }
  }
}
