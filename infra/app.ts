import { App } from 'aws-cdk-lib';
import { ChatStack } from './stack';

const app = new App();
// Both may be unset: the stack then synthesizes environment-agnostic.
new ChatStack(app, 'SupportChat', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
