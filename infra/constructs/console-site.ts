import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import type { WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  Function as EdgeFunction,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
  type BehaviorOptions,
  type Distribution,
  type ResponseSecurityHeadersBehavior,
  type ResponseCustomHeader,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { consoleSecurityHeaders, hstsMaxAgeSeconds, type ConsoleOrigins } from '../console-headers';
import { consoleCacheControl, consoleConfigFile, consoleRequestSource, type ConsoleConfig } from '../edge/console-function';
import { acknowledgeBucketDeployment } from '../nag';
import { repoRoot } from '../paths';

/** The console's files as web/build.ts made them. */
export interface BuiltConsole {
  readonly outDir: string;
  /** File names in outDir, config.json excluded. */
  readonly files: readonly string[];
}

export interface ConsoleSiteProps {
  readonly distribution: Distribution;
  readonly webSocketStage: WebSocketStage;
  /** Server access logs of the console bucket go here, under s3/console/. */
  readonly accessLogsBucket: IBucket;
  /** A console already built (web/build.ts); by default it is built at synth time. */
  readonly build?: BuiltConsole;
}

const consoleBuildModule = join(repoRoot, 'web', 'build.ts');

/**
 * Builds the console with web/build.ts's buildConsole, synchronously (constructs are), into the cloud
 * assembly's folder. When the stack skips bundling (`cdk synth --exclusively` of another stack, or the fast
 * template tests) nothing is built: web/public stands in, as unbundled Lambda code does for functions.
 */
export function buildConsoleAtSynth(scope: Construct): BuiltConsole {
  if (!Stack.of(scope).bundlingRequired) {
    const outDir = join(repoRoot, 'web', 'public');
    return { outDir, files: [...readdirSync(outDir), 'app.js'].sort() };
  }
  const outDir = join(Stage.of(scope)?.outdir ?? repoRoot, 'console-build');
  mkdirSync(outDir, { recursive: true });
  const script = 'require(process.argv[1]).buildConsole(process.argv[2]).catch((error) => { console.error(error); process.exit(1); })';
  execFileSync(process.execPath, ['--import', 'tsx', '--eval', script, consoleBuildModule, outDir], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  return { outDir, files: readdirSync(outDir).filter((name) => name !== consoleConfigFile).sort() };
}

/** The header map of infra/console-headers.ts in CloudFront's terms: its security headers, then the rest as custom headers. */
export function responseHeadersPolicyOf(headers: Readonly<Record<string, string>>): {
  securityHeadersBehavior: ResponseSecurityHeadersBehavior;
  customHeaders: ResponseCustomHeader[];
} {
  const security: Record<string, (value: string) => Partial<ResponseSecurityHeadersBehavior>> = {
    'content-security-policy': (value) => ({ contentSecurityPolicy: { contentSecurityPolicy: value, override: true } }),
    'x-content-type-options': (value) => {
      if (value !== 'nosniff') throw new Error(`X-Content-Type-Options can only be nosniff, not ${value}`);
      return { contentTypeOptions: { override: true } };
    },
    'x-frame-options': (value) => ({ frameOptions: { frameOption: value === 'DENY' ? HeadersFrameOption.DENY : HeadersFrameOption.SAMEORIGIN, override: true } }),
    'referrer-policy': (value) => {
      const policy = Object.values(HeadersReferrerPolicy).find((known: string) => known === value);
      if (!policy) throw new Error(`Referrer-Policy ${value} is not one CloudFront knows`);
      return { referrerPolicy: { referrerPolicy: policy, override: true } };
    },
    'strict-transport-security': (value) => {
      if (value !== `max-age=${hstsMaxAgeSeconds}; includeSubDomains`) throw new Error(`Strict-Transport-Security ${value} needs mapping to CloudFront's fields`);
      return { strictTransportSecurity: { accessControlMaxAge: Duration.seconds(hstsMaxAgeSeconds), includeSubdomains: true, override: true } };
    },
  };
  let securityHeadersBehavior: ResponseSecurityHeadersBehavior = {};
  const customHeaders: ResponseCustomHeader[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const known = security[name];
    if (known) securityHeadersBehavior = { ...securityHeadersBehavior, ...known(value) };
    else customHeaders.push({ header: name, value, override: true });
  }
  return { securityHeadersBehavior, customHeaders };
}

/**
 * The admin console on the API's distribution (README "Serving and deploying it"): a private bucket, read by
 * CloudFront only (origin access control), behind `/console` and `/console/*` with the console function
 * (infra/edge/console-request.js) and the security headers of infra/console-headers.ts; the build and a
 * config.json with this stack's URLs are copied in at deploy time.
 */
export class ConsoleSite extends Construct {
  readonly bucket: Bucket;
  readonly headersPolicy: ResponseHeadersPolicy;
  readonly viewerRequest: EdgeFunction;
  readonly deployment: BucketDeployment;
  /** config.json as deployed (values are tokens until deploy). */
  readonly config: ConsoleConfig;
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const build = props.build ?? buildConsoleAtSynth(this);

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 's3/console/',
      // CloudFormation cannot delete a bucket with objects in it; like the other buckets, it stays after cdk destroy.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const origins: ConsoleOrigins = {
      // The origin, not the stage URL: a CSP source with a path would match that one path only.
      webSocket: `wss://${props.webSocketStage.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`,
      // The region's virtual-hosted S3 names, not the bucket's: the attachments bucket's CORS rule names
      // this distribution, so the distribution's policy cannot name that bucket (a CloudFormation cycle).
      upload: `https://*.s3.${stack.region}.${stack.urlSuffix}`,
      // Downloads are https presigned URLs, which img-src allows already.
      trustedDownloads: [],
      https: true,
    };
    const headers = consoleSecurityHeaders(origins);
    const { securityHeadersBehavior, customHeaders } = responseHeadersPolicyOf(headers);
    this.headersPolicy = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Admin console security headers (infra/console-headers.ts)',
      securityHeadersBehavior,
      customHeadersBehavior: { customHeaders },
    });

    this.viewerRequest = new EdgeFunction(this, 'ViewerRequest', {
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(consoleRequestSource(build.files, headers)),
      comment: 'Admin console: /console/ to index.html, 404/405 for anything but its files',
    });

    const behavior: BehaviorOptions = {
      origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
      // The function answers every other method with 405; none reaches the bucket.
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: this.headersPolicy,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      functionAssociations: [{ function: this.viewerRequest, eventType: FunctionEventType.VIEWER_REQUEST }],
    };
    props.distribution.addBehavior('/console/*', behavior.origin, behavior);
    // `/console/*` does not match `/console`; without this it would reach the API and its 404.
    props.distribution.addBehavior('/console', behavior.origin, behavior);

    this.config = { apiBaseUrl: '', wsUrl: props.webSocketStage.url, trustedOrigins: [] };
    this.deployment = new BucketDeployment(this, 'Deployment', {
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'console/',
      sources: [Source.asset(build.outDir), Source.jsonData(consoleConfigFile, this.config)],
      cacheControl: [CacheControl.fromString(consoleCacheControl)],
      distribution: props.distribution,
      distributionPaths: ['/console/*'],
      memoryLimit: 256,
    });
    acknowledgeBucketDeployment(this.deployment, { bucketObjects: this.bucket.arnForObjects('*'), bucketName: 'console' });
    this.url = `https://${props.distribution.distributionDomainName}/console/`;
  }
}
