import { App } from 'aws-cdk-lib';
import { addNagChecks } from './nag';
import { ChatStack } from './stack';

const app = new App();
// Both may be unset: the stack then synthesizes environment-agnostic.
new ChatStack(app, 'SupportChat', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// AwsSolutions checks run on every synth and deploy; an unacknowledged finding fails them.
addNagChecks(app, { auditTrail: true });
