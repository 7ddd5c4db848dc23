import { Duration } from 'aws-cdk-lib';
import { Alarm, TreatMissingData, type AlarmProps, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';

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
