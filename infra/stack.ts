import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat, CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  LogGroupLogDestination,
  PayloadFormatVersion,
  WebSocketApi,
  WebSocketRoute,
  WebSocketStage,
  type HttpStage,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  Function as EdgeFunction,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { AttributeType as DdbAttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { chatTable, connectionsTable, type AttributeType, type KeyAttribute, type TableSpec } from '../lib/db/schema';
import { originVerifyHeader } from '../lib/http/origin';
import { authorizers, httpCatchAll, httpRoutes, wsRouteSelectionExpression, wsRoutes, type FunctionSpec } from '../lib/routes';
import { ChatAlarms } from './constructs/alarms';
import { allowBrowserAccess, attachmentsBucket } from './constructs/attachments-bucket';
import { ChatFunction, type ChatResources } from './constructs/chat-function';
import { ConsoleSite, type BuiltConsole } from './constructs/console-site';
import { originVerifySecrets } from './constructs/origin-verify';
import { webAclArn, type WebAclOption } from './constructs/web-acl';
import { acknowledge } from './nag';
import { viewerRequestFunctionPath } from './paths';

export interface ChatStackProps extends StackProps {
  /** The HTTP API's default route limits: each route gets these, within the account's limit. */
  readonly httpThrottle?: ThrottleSettings;
  /** The WebSocket stage's default route limits: each route ($connect and every action) gets these. */
  readonly webSocketThrottle?: ThrottleSettings;
  /**
   * Point API Gateway's account-wide CloudWatch Logs role (needed for WebSocket access logs) at a role
   * this stack creates. Turn off where another stack or an admin already manages that setting.
   * @default true
   */
  readonly apiGatewayCloudWatchRole?: boolean;
  /**
   * Bump (2, 3, …) to rotate the x-origin-verify value CloudFront sends to the HTTP API: the deploy
   * generates a new secret, the functions accept the new and the previous one, and CloudFront switches
   * once they do (README, "Origin check").
   * @default 1
   */
  readonly originSecretGeneration?: number;
  /**
   * An AWS WAF web ACL on the distribution: `{ arn }` attaches an existing CLOUDFRONT-scoped ACL (made in
   * us-east-1); `{ rateLimitPer5Min }` creates one with a per-IP rate-based rule, which only a stack in
   * us-east-1 can do. Costs extra (README, "Throttling").
   * @default none
   */
  readonly webAcl?: WebAclOption;
  /**
   * Reserved concurrency per function, by manifest name (e.g. `{ StoreSendMessage: 20 }`). None by
   * default: see README, "Throttling", for why.
   * @default {}
   */
  readonly reservedConcurrency?: Readonly<Record<string, number>>;
  /**
   * Origins whose browser pages may POST presigned uploads to, and fetch downloads from, the attachments
   * bucket. Native apps need none.
   * @default the distribution's https://<id>.cloudfront.net, where the admin console is served
   */
  readonly attachmentsCorsOrigins?: readonly string[];
  /**
   * The admin console, already built (web/build.ts `buildConsole`): its folder and file names.
   * @default built at synth time (infra/constructs/console-site.ts)
   */
  readonly console?: BuiltConsole;
}

export { noncurrentVersionRetentionDays } from './constructs/attachments-bucket';

export const defaultHttpThrottle: Required<ThrottleSettings> = { rateLimit: 100, burstLimit: 200 };
export const defaultWebSocketThrottle: Required<ThrottleSettings> = { rateLimit: 100, burstLimit: 200 };

/** How long access logs are kept: API access log groups, and S3/CloudFront logs in the logs bucket. */
export const accessLogRetention = RetentionDays.THREE_MONTHS;

/**
 * Access log records, one JSON object per request. No query string and no header may appear:
 * the WebSocket token travels in ?token= or in Sec-WebSocket-Protocol, and the HTTP token in Authorization.
 */
export const httpAccessLogFields = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
  responseLatency: '$context.responseLatency',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
} as const;

export const webSocketAccessLogFields = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  connectionId: '$context.connectionId',
  status: '$context.status',
  integrationLatency: '$context.integrationLatency',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
} as const;

const accessLogFormat = (fields: Record<string, string>): AccessLogFormat => AccessLogFormat.custom(JSON.stringify(fields));

/** WebSocket stage name; part of the callback URL handlers push through. */
export const webSocketStageName = 'prod';

const attributeTypes: Record<AttributeType, DdbAttributeType> = { S: DdbAttributeType.STRING, N: DdbAttributeType.NUMBER };
const projectionTypes = { ALL: ProjectionType.ALL, KEYS_ONLY: ProjectionType.KEYS_ONLY } as const;

const attribute = (key: KeyAttribute): Attribute => ({ name: key.name, type: attributeTypes[key.type] });

function tableFromSpec(scope: Construct, spec: TableSpec): TableV2 {
  return new TableV2(scope, spec.id, {
    partitionKey: attribute(spec.partitionKey),
    sortKey: spec.sortKey && attribute(spec.sortKey),
    globalSecondaryIndexes: spec.globalIndexes.map((index) => ({
      indexName: index.name,
      partitionKey: attribute(index.partitionKey),
      sortKey: index.sortKey && attribute(index.sortKey),
      projectionType: projectionTypes[index.projection],
    })),
    timeToLiveAttribute: spec.ttlAttribute,
    billing: Billing.onDemand(),
    // The AWS-managed key (alias/aws/dynamodb): key use shows in CloudTrail, and no key policy to keep.
    encryption: TableEncryptionV2.awsManagedKey(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** The support chat: everything in lib/routes.ts, deployed. */
export class ChatStack extends Stack {
  readonly chatTable: TableV2;
  readonly connectionsTable: TableV2;
  readonly attachmentsBucket: Bucket;
  /** S3 server access logs of the attachments bucket and CloudFront's standard logs. */
  readonly accessLogsBucket: Bucket;
  readonly httpApi: HttpApi;
  readonly httpStage: HttpStage;
  readonly webSocketApi: WebSocketApi;
  readonly webSocketStage: WebSocketStage;
  readonly httpAccessLogs: LogGroup;
  readonly webSocketAccessLogs: LogGroup;
  readonly distribution: Distribution;
  /** The admin console: `/console/*` on the distribution, from a private bucket. */
  readonly console: ConsoleSite;
  /** Every alarm notifies this topic, firing and recovering. */
  readonly alarmTopic: Topic;
  /** Keyed by manifest name (routes, the catch-all and the WebSocket authorizer). */
  readonly functions: ReadonlyMap<string, ChatFunction>;

  constructor(scope: Construct, id: string, props: ChatStackProps = {}) {
    super(scope, id, props);

    this.chatTable = tableFromSpec(this, chatTable);
    this.connectionsTable = tableFromSpec(this, connectionsTable);
    this.accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Log delivery supports only S3-managed keys.
      encryption: BucketEncryption.S3_MANAGED,
      // CloudFront's standard logs are delivered through an ACL grant, so ACLs stay enabled.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(accessLogRetention) }, { abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    // Its CORS rule comes with the distribution below (allowBrowserAccess): the default origin is the distribution's domain.
    this.attachmentsBucket = attachmentsBucket(this, this.accessLogsBucket);

    // Retained: access logs are the audit trail of who called the APIs.
    this.httpAccessLogs = new LogGroup(this, 'HttpAccessLogs', { retention: accessLogRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.webSocketAccessLogs = new LogGroup(this, 'WebSocketAccessLogs', { retention: accessLogRetention, removalPolicy: RemovalPolicy.RETAIN });

    this.httpApi = new HttpApi(this, 'HttpApi', { createDefaultStage: false });
    this.httpStage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.httpThrottle ?? defaultHttpThrottle,
      accessLogSettings: { destination: new LogGroupLogDestination(this.httpAccessLogs), format: accessLogFormat(httpAccessLogFields) },
    });

    this.webSocketApi = new WebSocketApi(this, 'WebSocketApi', { routeSelectionExpression: wsRouteSelectionExpression });
    this.webSocketStage = new WebSocketStage(this, 'WebSocketStage', {
      webSocketApi: this.webSocketApi,
      stageName: webSocketStageName,
      autoDeploy: true,
      throttle: props.webSocketThrottle ?? defaultWebSocketThrottle,
      accessLogSettings: { destination: new LogGroupLogDestination(this.webSocketAccessLogs), format: accessLogFormat(webSocketAccessLogFields) },
    });
    if (props.apiGatewayCloudWatchRole ?? true) this.webSocketStage.node.addDependency(this.apiGatewayLoggingRole());

    const resources: ChatResources = {
      chatTable: this.chatTable,
      connectionsTable: this.connectionsTable,
      webSocketStage: this.webSocketStage,
      attachmentsBucket: this.attachmentsBucket,
    };
    const functions = new Map<string, ChatFunction>();
    const reserved = props.reservedConcurrency ?? {};
    const origin = originVerifySecrets(this, props.originSecretGeneration ?? 1);
    const chatFunction = (spec: FunctionSpec): ChatFunction => {
      if (functions.has(spec.name)) throw new Error(`Duplicate manifest name ${spec.name}`);
      const concurrency = reserved[spec.name];
      const fn = new ChatFunction(this, spec.name, { handlerPath: spec.handler, ...(concurrency === undefined ? {} : { reservedConcurrentExecutions: concurrency }) });
      fn.bindResources(resources, spec.access);
      // A dynamic reference: CloudFormation resolves it at deploy, so no function reads Secrets Manager at runtime.
      if (spec.verifiesOrigin) fn.addEnvironment('ORIGIN_VERIFY_SECRETS', origin.accepted);
      functions.set(spec.name, fn);
      return fn;
    };
    this.functions = functions;

    // No API Gateway authorizer: each route's function checks the origin header and the token itself
    // (lib/auth/http-identity.ts), with a short per-instance cache, so a warm request costs no extra
    // invocation. A cached HTTP API authorizer needs an identity source, and a request without it gets
    // API Gateway's own 401 body, not {"error":"Unauthorized"} (docs/ARCHITECTURE.md, "Authentication").
    for (const spec of httpRoutes) {
      const route = new HttpRoute(this, `${spec.name}Route`, {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(spec.path, HttpMethod[spec.method]),
        integration: new HttpLambdaIntegration(`${spec.name}Integration`, chatFunction(spec), {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        }),
      });
      acknowledge(
        route,
        'AwsSolutions-APIG4',
        `Authenticated in the function, not by an API Gateway authorizer: httpRoute (lib/http/route.ts) checks CloudFront's origin header and the ${spec.auth} token before reading any input, because the project's 401 body {"error":"Unauthorized"} must hold and a cached HTTP API authorizer would need an identity source, whose absence API Gateway answers with its own 401.`,
      );
    }
    // Everything no route above matches: unknown paths, other methods, OPTIONS. No token, so no authorizer.
    const notFound = chatFunction(httpCatchAll);
    const catchAllRoute = new HttpRoute(this, `${httpCatchAll.name}Route`, {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration(`${httpCatchAll.name}Integration`, notFound, { payloadFormatVersion: PayloadFormatVersion.VERSION_2_0 }),
    });
    acknowledge(
      catchAllRoute,
      'AwsSolutions-APIG4',
      'The $default route only answers 404 or 405 in the error envelope for requests no authorized route matches; it reads no data and needs no token, and it still refuses calls that bypass CloudFront.',
    );

    const wsAuthorizer = new WebSocketLambdaAuthorizer(authorizers.ws.name, chatFunction(authorizers.ws), {
      // No identity source: the token comes as ?token= or as a Sec-WebSocket-Protocol entry (browsers),
      // and with two sources API Gateway would demand both. For a REQUEST authorizer the identity source
      // is optional (AWS::ApiGatewayV2::Authorizer IdentitySource), WebSocket authorizers never cache, so
      // the authorizer runs on every $connect and answers 401 itself (functions/auth/ws-authorizer.ts).
      identitySource: [],
    });
    for (const spec of wsRoutes) {
      const route = new WebSocketRoute(this, `${spec.name}Route`, {
        webSocketApi: this.webSocketApi,
        routeKey: spec.routeKey,
        integration: new WebSocketLambdaIntegration(`${spec.name}Integration`, chatFunction(spec)),
        // API Gateway runs a WebSocket authorizer only on $connect.
        authorizer: spec.routeKey === '$connect' ? wsAuthorizer : undefined,
        returnResponse: spec.returnResponse,
      });
      if (spec.routeKey !== '$connect') {
        acknowledge(
          route,
          'AwsSolutions-APIG4',
          `WebSocket APIs support authorizers only on $connect; the "${spec.routeKey}" route runs on a connection that the $connect authorizer already admitted, and its handler reads that principal (auth: ${spec.auth}).`,
        );
      }
    }

    // HTTP API routes cannot end in '/', and a deployed API does not match '/x/' against '/x';
    // the seed posts to /v1/chat/store/message/. The viewer-request function strips the slash.
    const stripTrailingSlash = new EdgeFunction(this, 'StripTrailingSlash', {
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromFile({ filePath: viewerRequestFunctionPath }),
      comment: 'Strips one trailing slash before the HTTP API sees the path',
    });
    this.distribution = new Distribution(this, 'HttpDistribution', {
      comment: 'Support chat HTTP API',
      defaultBehavior: {
        origin: new HttpOrigin(`${this.httpApi.apiId}.execute-api.${this.region}.${this.urlSuffix}`, {
          protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          // Proves to the API that the request came through here; it replaces any viewer header of that name.
          customHeaders: { [originVerifyHeader]: origin.current },
        }),
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        // Forwards Authorization; a forwarded Host would make API Gateway reject the request.
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        // A redirect would turn POSTs into GETs.
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        functionAssociations: [{ function: stripTrailingSlash, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      // The HTTP API sees CloudFront's address; only these logs hold the client's IP.
      enableLogging: true,
      logBucket: this.accessLogsBucket,
      logFilePrefix: 'cloudfront/',
      ...(props.webAcl ? { webAclId: webAclArn(this, props.webAcl) } : {}),
    });
    // No ordering needed on a rotation: the functions accept the next value one deployment before CloudFront sends it (origin-verify.ts).
    for (const name of Object.keys(reserved)) if (!functions.has(name)) throw new Error(`reservedConcurrency: no function named ${name}`);

    this.console = new ConsoleSite(this, 'Console', {
      distribution: this.distribution,
      webSocketStage: this.webSocketStage,
      accessLogsBucket: this.accessLogsBucket,
      ...(props.console ? { build: props.console } : {}),
    });

    allowBrowserAccess(this.attachmentsBucket, props.attachmentsCorsOrigins ?? [`https://${this.distribution.distributionDomainName}`]);
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'Stores and admins use the chat from any country, so there is no country to deny; the API authorizes every route instead.',
    );
    if (!props.webAcl) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR2',
        'A CloudFront web ACL lives in us-east-1 and costs a monthly fee, so it is the webAcl stack option; without it abuse is bounded by the stage throttle, the per-principal limits and the origin check.',
      );
    }
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'The distribution has no custom domain, so it serves the default *.cloudfront.net certificate, whose minimum protocol CloudFront fixes; TLSv1.2_2021 needs a custom domain with an ACM certificate in us-east-1.',
    );

    this.alarmTopic = new ChatAlarms(this, {
      functions: this.functions.values(),
      tables: [
        { table: this.chatTable, spec: chatTable },
        { table: this.connectionsTable, spec: connectionsTable },
      ],
      httpApi: this.httpApi,
    }).topic;

    new CfnOutput(this, 'HttpApiUrl', { value: `https://${this.distribution.distributionDomainName}`, description: 'Public HTTP URL (CloudFront)' });
    new CfnOutput(this, 'ConsoleUrl', { value: this.console.url, description: 'The admin console' });
    new CfnOutput(this, 'HttpApiOriginUrl', { value: this.httpApi.apiEndpoint, description: 'HTTP API endpoint behind CloudFront; answers 403 to calls that bypass CloudFront' });
    new CfnOutput(this, 'WebSocketUrl', { value: this.webSocketStage.url });
    new CfnOutput(this, 'WebSocketManagementUrl', { value: this.webSocketStage.callbackUrl, description: '@connections endpoint, for chatctl token revoke --ws-endpoint' });
    new CfnOutput(this, 'ChatTableName', { value: this.chatTable.tableName });
    new CfnOutput(this, 'ConnectionsTableName', { value: this.connectionsTable.tableName });
    new CfnOutput(this, 'AttachmentsBucketName', { value: this.attachmentsBucket.bucketName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn, description: 'Subscribe to receive every alarm' });
    new CfnOutput(this, 'HttpAccessLogGroupName', { value: this.httpAccessLogs.logGroupName });
    new CfnOutput(this, 'WebSocketAccessLogGroupName', { value: this.webSocketAccessLogs.logGroupName });
    new CfnOutput(this, 'AccessLogsBucketName', { value: this.accessLogsBucket.bucketName, description: 'S3 (s3/attachments/) and CloudFront (cloudfront/) access logs' });
  }

  /** WebSocket access logging needs the account's API Gateway CloudWatch Logs role set. */
  private apiGatewayLoggingRole(): CfnAccount {
    const role = new Role(this, 'ApiGatewayCloudWatchRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      description: "API Gateway's account-wide role for writing REST and WebSocket API logs",
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    // The account setting outlives the stack; a deleted role would break logging for every API in the account.
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    acknowledge(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      "API Gateway uses this one role for the logs of every REST and WebSocket API in the account and region, so it carries AWS's documented policy for that role; narrowing it to this stack's log groups would break other APIs' logging.",
    );
    return new CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
  }
}
