import { App } from 'aws-cdk-lib';
import { addNagChecks } from './nag';
import { ChatStack } from './stack';

const app = new App();
// Both may be unset: the stack then synthesizes environment-agnostic.
new ChatStack(app, 'SupportChat', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  // Options (README, "Deploying to AWS"):
  // originSecretGeneration: 2,              rotates CloudFront's x-origin-verify value ("Origin check")
  // webAcl: { rateLimitPer5Min: 2000 },     a per-IP WAF rule; us-east-1 only, or webAcl: { arn } ("Throttling"; costs extra)
  // reservedConcurrency: { StoreSendMessage: 50 },  needs a raised Lambda quota ("Throttling")
  // attachmentsCorsOrigins: ['https://console.example.com'],  browser origins for uploads ("Encryption, retention and deletion")
});
// AwsSolutions checks run on every synth and deploy; an unacknowledged finding fails them.
addNagChecks(app, { auditTrail: true });
