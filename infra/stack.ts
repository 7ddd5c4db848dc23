import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  PayloadFormatVersion,
  WebSocketApi,
  WebSocketRoute,
  WebSocketStage,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType, WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
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
import { AttributeType as DdbAttributeType, Billing, ProjectionType, TableV2, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { uploadRetentionDays, uploadsPrefix } from '../lib/attachments/policy';
import { chatTable, connectionsTable, type AttributeType, type KeyAttribute, type TableSpec } from '../lib/db/schema';
import { authorizers, httpRoutes, wsRouteSelectionExpression, wsRoutes, type AuthorizerSpec } from '../lib/routes';
import { ChatFunction, type ChatResources } from './constructs/chat-function';
import { viewerRequestFunctionPath } from './local/edge';

export interface ChatStackProps extends StackProps {
  /** The HTTP API's default stage limits, across all routes. */
  readonly httpThrottle?: ThrottleSettings;
}

export const defaultHttpThrottle: Required<ThrottleSettings> = { rateLimit: 100, burstLimit: 200 };

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
  readonly httpApi: HttpApi;
  readonly webSocketApi: WebSocketApi;
  readonly webSocketStage: WebSocketStage;
  readonly distribution: Distribution;
  /** Keyed by manifest name (routes and authorizers). */
  readonly functions: ReadonlyMap<string, ChatFunction>;

  constructor(scope: Construct, id: string, props: ChatStackProps = {}) {
    super(scope, id, props);

    this.chatTable = tableFromSpec(this, chatTable);
    this.connectionsTable = tableFromSpec(this, connectionsTable);
    this.attachmentsBucket = new Bucket(this, 'AttachmentsBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      // Sent attachments are chat history, kept like the tables.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        // Sending copies an upload to attachments/, so what is left under uploads/ was abandoned.
        { prefix: uploadsPrefix, expiration: Duration.days(uploadRetentionDays) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // Browsers upload with a presigned POST and fetch with a presigned GET, straight to S3.
      cors: [
        {
          allowedMethods: [HttpMethods.POST, HttpMethods.GET],
          allowedOrigins: ['*'],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
    });

    this.httpApi = new HttpApi(this, 'HttpApi', { createDefaultStage: false });
    this.httpApi.addStage('DefaultStage', { stageName: '$default', autoDeploy: true, throttle: props.httpThrottle ?? defaultHttpThrottle });

    this.webSocketApi = new WebSocketApi(this, 'WebSocketApi', { routeSelectionExpression: wsRouteSelectionExpression });
    this.webSocketStage = new WebSocketStage(this, 'WebSocketStage', { webSocketApi: this.webSocketApi, stageName: webSocketStageName, autoDeploy: true });

    const resources: ChatResources = {
      chatTable: this.chatTable,
      connectionsTable: this.connectionsTable,
      webSocketStage: this.webSocketStage,
      attachmentsBucket: this.attachmentsBucket,
    };
    const functions = new Map<string, ChatFunction>();
    const chatFunction = (spec: AuthorizerSpec): ChatFunction => {
      if (functions.has(spec.name)) throw new Error(`Duplicate manifest name ${spec.name}`);
      const fn = new ChatFunction(this, spec.name, { handlerPath: spec.handler });
      fn.bindResources(resources, spec.access);
      functions.set(spec.name, fn);
      return fn;
    };
    this.functions = functions;

    const httpAuthorizer = new HttpLambdaAuthorizer(authorizers.http.name, chatFunction(authorizers.http), {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      // No identity source: API Gateway would answer a missing header with its own 401 body,
      // while seed-000 needs {"error":"Unauthorized"}, so the authorizer must always run.
      // An identity source is only mandatory when results are cached, hence TTL 0.
      identitySource: [],
      resultsCacheTtl: Duration.seconds(0),
    });
    for (const spec of httpRoutes) {
      new HttpRoute(this, `${spec.name}Route`, {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(spec.path, HttpMethod[spec.method]),
        integration: new HttpLambdaIntegration(`${spec.name}Integration`, chatFunction(spec), {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        }),
        authorizer: httpAuthorizer,
      });
    }

    const wsAuthorizer = new WebSocketLambdaAuthorizer(authorizers.ws.name, chatFunction(authorizers.ws), {
      identitySource: ['route.request.querystring.token'],
    });
    for (const spec of wsRoutes) {
      new WebSocketRoute(this, `${spec.name}Route`, {
        webSocketApi: this.webSocketApi,
        routeKey: spec.routeKey,
        integration: new WebSocketLambdaIntegration(`${spec.name}Integration`, chatFunction(spec)),
        // API Gateway runs a WebSocket authorizer only on $connect.
        authorizer: spec.routeKey === '$connect' ? wsAuthorizer : undefined,
        returnResponse: spec.returnResponse,
      });
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
        }),
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        // Forwards Authorization; a forwarded Host would make API Gateway reject the request.
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        // A redirect would turn POSTs into GETs.
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        functionAssociations: [{ function: stripTrailingSlash, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
    });

    new CfnOutput(this, 'HttpApiUrl', { value: `https://${this.distribution.distributionDomainName}`, description: 'Public HTTP URL (CloudFront)' });
    new CfnOutput(this, 'HttpApiOriginUrl', { value: this.httpApi.apiEndpoint, description: 'HTTP API endpoint behind CloudFront' });
    new CfnOutput(this, 'WebSocketUrl', { value: this.webSocketStage.url });
    new CfnOutput(this, 'ChatTableName', { value: this.chatTable.tableName });
    new CfnOutput(this, 'ConnectionsTableName', { value: this.connectionsTable.tableName });
    new CfnOutput(this, 'AttachmentsBucketName', { value: this.attachmentsBucket.bucketName });
  }
}
