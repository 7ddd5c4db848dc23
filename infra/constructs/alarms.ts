import { ArnFormat, Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, MathExpression, Metric, Stats, TreatMissingData, type AlarmProps, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { TableSpec } from '../../lib/db/schema';
import type { ChatFunction } from './chat-function';

/** Every alarm judges one window of this length. */
export const alarmPeriod = Duration.minutes(5);

/** Duration alarms fire when p99 exceeds this share of the function timeout, before requests time out. */
export const slowShareOfTimeout = 0.8;

export interface NotifyingAlarmProps extends Omit<AlarmProps, 'evaluationPeriods' | 'datapointsToAlarm' | 'treatMissingData' | 'actionsEnabled'> {
  /** Told when the alarm fires and when it recovers. */
  readonly action: IAlarmAction;
}

/** An alarm on one period, quiet when there is no traffic, that notifies `action` both ways. */
export function notifyingAlarm(scope: Construct, id: string, props: NotifyingAlarmProps): Alarm {
  const { action, ...alarmProps } = props;
  const alarm = new Alarm(scope, id, {
    ...alarmProps,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    // No invocations, no throttles: most metrics here emit nothing when all is well.
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
  return alarm;
}

export interface ChatAlarmsProps {
  /** Each function's errors, throttles and slow p99 (ChatFunction.addAlarms). */
  readonly functions: Iterable<ChatFunction>;
  /** Each table's throttled reads and writes, its indexes included. */
  readonly tables: readonly { readonly table: TableV2; readonly spec: TableSpec }[];
  /** The HTTP API's 5xx responses. */
  readonly httpApi: HttpApi;
}

/**
 * The alarm topic (under a key of its own) and every alarm of the stack, notifying it firing and
 * recovering. Not a construct of its own: the topic and key are created in `scope` (the stack) and each
 * alarm under what it watches, so their logical IDs stay those of the deployed stack.
 */
export class ChatAlarms {
  /** Every alarm notifies this topic, firing and recovering. */
  readonly topic: Topic;

  constructor(scope: Stack, props: ChatAlarmsProps) {
    this.topic = alarmTopic(scope);
    const action = new SnsAction(this.topic);
    for (const fn of props.functions) fn.addAlarms(action);
    for (const { table, spec } of props.tables) tableThrottleAlarm(table, spec, action);
    notifyingAlarm(props.httpApi, 'ServerErrorsAlarm', {
      action,
      alarmDescription: `HTTP API: at least one 5xx response in ${alarmPeriod.toMinutes()} minutes (a handler failed or timed out, or API Gateway could not reach it). See the HTTP access log group.`,
      metric: props.httpApi.metricServerError({ period: alarmPeriod, statistic: Stats.SUM }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }
}

/** Encrypted with a key of our own: CloudWatch cannot publish to a topic under the AWS-managed SNS key. */
function alarmTopic(scope: Stack): Topic {
  const key = new Key(scope, 'AlarmTopicKey', {
    description: 'Encrypts the support chat alarm topic',
    enableKeyRotation: true,
    // Only in-flight notifications are ever encrypted with it, so nothing is lost with the stack.
    removalPolicy: RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
  });
  const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
  key.addToResourcePolicy(new PolicyStatement({ principals: [cloudWatch], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'] }));
  const topic = new Topic(scope, 'AlarmTopic', { displayName: 'Support chat alarms', masterKey: key, enforceSSL: true });
  // The topic policy replaces SNS's default one, so CloudWatch is let in explicitly, for this account's alarms only.
  topic.addToResourcePolicy(
    new PolicyStatement({
      principals: [cloudWatch],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        ArnLike: { 'aws:SourceArn': scope.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        StringEquals: { 'aws:SourceAccount': scope.account },
      },
    }),
  );
  return topic;
}

/** Read and write throttle events of the table and each index, summed; on-demand tables still throttle at partition limits. */
function tableThrottleAlarm(table: TableV2, spec: TableSpec, action: IAlarmAction): Alarm {
  const scopes: { id: string; dimensions: Record<string, string> }[] = [
    { id: 'table', dimensions: { TableName: table.tableName } },
    ...spec.globalIndexes.map((index, i) => ({ id: `index${i}`, dimensions: { TableName: table.tableName, GlobalSecondaryIndexName: index.name } })),
  ];
  const usingMetrics: Record<string, Metric> = {};
  for (const { id, dimensions } of scopes) {
    for (const [kind, metricName] of [
      ['Reads', 'ReadThrottleEvents'],
      ['Writes', 'WriteThrottleEvents'],
    ] as const) {
      usingMetrics[`${id}${kind}`] = new Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap: dimensions, statistic: Stats.SUM, period: alarmPeriod });
    }
  }
  return notifyingAlarm(table, 'ThrottlesAlarm', {
    action,
    alarmDescription: `${spec.id}: at least one throttled read or write (table or index) in ${alarmPeriod.toMinutes()} minutes; requests are being rejected.`,
    // FILL: throttle metrics emit nothing when there are none, and a sum with a gap would be a gap.
    metric: new MathExpression({
      expression: Object.keys(usingMetrics)
        .map((id) => `FILL(${id}, 0)`)
        .join(' + '),
      usingMetrics,
      period: alarmPeriod,
      label: `${spec.id} throttled requests`,
    }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  });
}
