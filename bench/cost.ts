/**
 * The AWS bill for 1,000,000 store messages, from units measured in this run
 * and AWS's published on-demand prices for us-east-1 (N. Virginia). Free
 * tiers are left out: they are per account, not per message.
 */

export interface Price {
  what: string;
  usd: number;
  per: string;
  sources: readonly string[];
}

/** Looked up 2026-11-21 with the search tool; the AWS pages render their rate tables client-side, so each number is cross-checked in a page that quotes it. */
export const pricesCheckedOn = '2026-11-21';

export const prices = {
  lambdaRequests: {
    what: 'Lambda requests',
    usd: 0.2,
    per: '1M requests',
    sources: ['https://aws.amazon.com/lambda/pricing/', 'https://git.mcrn.ar/mariano/lambda_local_runner/src/commit/957e45b8adae23ce50b966346229585b5df18b4d/docs/lambdas-md/lambda-13-cost.md?display=rendered'],
  },
  lambdaArmGbSecond: {
    what: 'Lambda duration, Arm (first 7.5 billion GB-s a month)',
    usd: 0.0000133334,
    per: 'GB-second',
    sources: ['https://aws.amazon.com/lambda/pricing/', 'https://cloudchipr.com/blog/aws-lambda-pricing', 'https://app.unpkg.com/artillery@2.0.28/files/lib/platform/aws-lambda/prices.js'],
  },
  httpApiRequests: {
    what: 'API Gateway HTTP API requests (first 300M a month)',
    usd: 1.0,
    per: '1M requests',
    sources: ['https://aws.amazon.com/api-gateway/pricing/', 'https://www.learnaws.org/2021/01/10/api-gateway-pricing/', 'https://amnic.com/blogs/aws-api-gateway-pricing'],
  },
  wsMessages: {
    what: 'API Gateway WebSocket messages (first 1B a month; metered in 32 KB increments)',
    usd: 1.0,
    per: '1M messages',
    sources: ['https://aws.amazon.com/api-gateway/pricing/', 'https://amnic.com/blogs/aws-api-gateway-pricing'],
  },
  wsConnectionMinutes: {
    what: 'API Gateway WebSocket connection minutes',
    usd: 0.25,
    per: '1M connection minutes',
    sources: ['https://aws.amazon.com/api-gateway/pricing/', 'https://amnic.com/blogs/aws-api-gateway-pricing', 'https://www.repost.aws/pt/questions/QU7IqgooGeQmqudOsmzTw5YQ/how-to-interpret-websocket-api-connection-minutes-pricing'],
  },
  cloudFrontHttpsRequests: {
    what: 'CloudFront HTTPS requests, United States (POSTs forwarded to the origin are billed as requests)',
    usd: 0.01,
    per: '10,000 requests',
    sources: ['https://aws.amazon.com/cloudfront/pricing/', 'https://github.com/SaimShaikh/Cloud_Computing/blob/main/AWS/AWS_CloudFront_(CDN)/AWS_CloudFront_Pricing.md', 'https://cur.vantage.sh/aws/amazoncloudfront/'],
  },
  cloudFrontFunctions: {
    what: 'CloudFront Functions invocations (the viewer-request function runs on every request)',
    usd: 0.1,
    per: '1M invocations',
    sources: ['https://aws.amazon.com/cloudfront/pricing/', 'https://cur.vantage.sh/aws/amazoncloudfront/'],
  },
  cloudFrontTransferOut: {
    what: 'CloudFront data transfer out to the internet, United States (first 10 TB)',
    usd: 0.085,
    per: 'GB',
    sources: ['https://aws.amazon.com/cloudfront/pricing/'],
  },
  apiGatewayTransferOut: {
    what: 'API Gateway data transfer out (WebSocket frames to admins), at EC2 internet rates',
    usd: 0.09,
    per: 'GB',
    sources: ['https://aws.amazon.com/api-gateway/pricing/', 'https://awsforengineers.com/blog/aws-api-gateway-pricing-explained'],
  },
  dynamoWrite: {
    what: 'DynamoDB on-demand write request units (Standard table class, since the 1 Nov 2024 reduction)',
    usd: 0.625,
    per: '1M WRU',
    sources: ['https://aws.amazon.com/dynamodb/pricing/on-demand/', 'https://airbyte.com/data-engineering-resources/dynamodb-pricing', 'https://www.jusdb.com/blog/dynamodb-cost-optimization-a-comprehensive-guide-by-jusdb'],
  },
  dynamoRead: {
    what: 'DynamoDB on-demand read request units (Standard table class)',
    usd: 0.125,
    per: '1M RRU',
    sources: ['https://aws.amazon.com/dynamodb/pricing/on-demand/', 'https://airbyte.com/data-engineering-resources/dynamodb-pricing'],
  },
} as const satisfies Record<string, Price>;

/** What one later store message uses, all measured in this run. */
export interface MessageUnits {
  admins: number;
  wcu: number;
  /** The send handler's reads. */
  rcu: number;
  /** Token lookups (GetItem TOKEN#…), whichever function made them. */
  tokenRcu: number;
  lambdaInvocations: number;
  /** Billed milliseconds per message: the send, plus the HTTP authorizer while there is one. */
  billedMs: number;
  memoryMb: number;
  responseBytes: number;
  frameBytes: number;
  /** WebSocket messages metered per admin per store message (32 KB increments). */
  wsUnitsPerAdmin: number;
}

export interface CostLine {
  component: string;
  quantity: string;
  usd: number;
}

const million = 1_000_000;
const gb = 1024 ** 3;

/** Cost of 1,000,000 store messages, line by line. */
export function costPerMillion(u: MessageUnits): CostLine[] {
  const gbSeconds = (u.billedMs / 1000) * (u.memoryMb / 1024) * million;
  const wsMessages = u.admins * u.wsUnitsPerAdmin * million;
  const responseGb = (u.responseBytes * million) / gb;
  const framesGb = (u.frameBytes * u.admins * million) / gb;
  const reads = (u.rcu + u.tokenRcu) * million;
  const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
  return [
    { component: 'CloudFront HTTPS requests', quantity: `${fmt(million)} requests`, usd: (million / 10_000) * prices.cloudFrontHttpsRequests.usd },
    { component: 'CloudFront Functions (viewer-request)', quantity: `${fmt(million)} invocations`, usd: prices.cloudFrontFunctions.usd },
    { component: 'CloudFront data transfer out (responses)', quantity: `${fmt(responseGb)} GB (${u.responseBytes} B each)`, usd: responseGb * prices.cloudFrontTransferOut.usd },
    { component: 'API Gateway HTTP API requests', quantity: `${fmt(million)} requests`, usd: prices.httpApiRequests.usd },
    { component: `Lambda requests (send${u.lambdaInvocations > 1 ? ' + authorizer' : ''})`, quantity: `${fmt(u.lambdaInvocations * million)} invocations`, usd: u.lambdaInvocations * prices.lambdaRequests.usd },
    { component: `Lambda duration (${u.memoryMb} MB arm64, ${u.billedMs.toFixed(1)} billed ms a message)`, quantity: `${fmt(gbSeconds)} GB-s`, usd: gbSeconds * prices.lambdaArmGbSecond.usd },
    { component: `WebSocket messages (@connections, ${u.admins} admins)`, quantity: `${fmt(wsMessages)} messages (${u.frameBytes} B frames, ${u.wsUnitsPerAdmin} unit each)`, usd: (wsMessages / million) * prices.wsMessages.usd },
    { component: 'API Gateway data transfer out (frames)', quantity: `${fmt(framesGb)} GB`, usd: framesGb * prices.apiGatewayTransferOut.usd },
    { component: 'DynamoDB writes', quantity: `${fmt(u.wcu * million)} WRU (${u.wcu} a message)`, usd: u.wcu * prices.dynamoWrite.usd },
    { component: 'DynamoDB reads (handler + token lookups)', quantity: `${fmt(reads)} RRU (${u.rcu} + ${u.tokenRcu} a message)`, usd: (reads / million) * prices.dynamoRead.usd },
  ];
}

/** Admins online all month: connection minutes, a separate line because it does not scale with messages. */
export function connectionMinutesPerMonth(admins: number): { minutes: number; usd: number } {
  const minutes = admins * 30 * 24 * 60;
  return { minutes, usd: (minutes / million) * prices.wsConnectionMinutes.usd };
}
