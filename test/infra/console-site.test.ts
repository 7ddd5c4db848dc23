import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildConsole } from '../../web/build';
import { consoleSecurityHeaders, hstsMaxAgeSeconds } from '../../infra/console-headers';
import { buildConsoleAtSynth } from '../../infra/constructs/console-site';
import { consoleCacheControl, consoleRequestSource } from '../../infra/edge/console-function';
import { ChatStack } from '../../infra/stack';
import { logicalIdOf, resourcesOf, testApp } from './synth';

// AWS-managed CloudFront cache policy, by its documented id.
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';

interface Behavior {
  PathPattern: string;
  TargetOriginId: string;
  CachePolicyId: string;
  ResponseHeadersPolicyId: { Ref: string };
  ViewerProtocolPolicy: string;
  FunctionAssociations: { EventType: string; FunctionARN: unknown }[];
}
interface DistributionProps {
  DistributionConfig: {
    CacheBehaviors: Behavior[];
    Origins: { Id: string; DomainName: unknown; OriginAccessControlId?: unknown; S3OriginConfig?: { OriginAccessIdentity: string } }[];
  };
}

let buildDir: string;
let files: string[];
let stack: ChatStack;
let template: Template;
let assembly: string;

beforeAll(async () => {
  buildDir = mkdtempSync(join(tmpdir(), 'console-site-test-'));
  files = (await buildConsole(buildDir)).files;
  const app = testApp({ bundle: false });
  stack = new ChatStack(app, 'SupportChat', { console: { outDir: buildDir, files } });
  template = Template.fromStack(stack);
  assembly = app.synth().directory;
}, 120_000);

afterAll(() => rmSync(buildDir, { recursive: true, force: true }));

const distribution = () => Object.values(resourcesOf<DistributionProps>(template, 'AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
const consoleBehaviors = () => distribution().CacheBehaviors.filter((behavior) => behavior.PathPattern.startsWith('/console'));
const consoleBucketId = () => logicalIdOf(stack.console.bucket);

describe('the console bucket', () => {
  it('is private: all public access blocked, TLS only, encrypted, no website hosting', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      WebsiteConfiguration: Match.absent(),
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 's3/console/' }),
    });
    const policy = Object.values(resourcesOf<{ Bucket: { Ref: string }; PolicyDocument: { Statement: Record<string, unknown>[] } }>(template, 'AWS::S3::BucketPolicy')).find(
      (candidate) => candidate.Properties.Bucket.Ref === consoleBucketId(),
    )!;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  it('is read by this distribution only, through origin access control', () => {
    const origin = distribution().Origins.find((candidate) => JSON.stringify(candidate.DomainName).includes(consoleBucketId()))!;
    const oac = Object.keys(resourcesOf(template, 'AWS::CloudFront::OriginAccessControl'));

    expect(origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oac[0], 'Id'] });
    expect(origin.S3OriginConfig?.OriginAccessIdentity ?? '').toBe('');
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: consoleBucketId() },
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      }),
    });
  });
});

describe('the console behaviours', () => {
  it('serve /console and /console/* from the bucket with the console function, cached as the files say', () => {
    const functionId = logicalIdOf(stack.console.viewerRequest);
    const bucketOrigin = distribution().Origins.find((candidate) => JSON.stringify(candidate.DomainName).includes(consoleBucketId()))!;

    expect(consoleBehaviors().map((behavior) => behavior.PathPattern).sort()).toEqual(['/console', '/console/*']);
    for (const behavior of consoleBehaviors()) {
      expect(behavior).toMatchObject({
        TargetOriginId: bucketOrigin.Id,
        CachePolicyId: CACHING_OPTIMIZED,
        ResponseHeadersPolicyId: { Ref: logicalIdOf(stack.console.headersPolicy) },
        ViewerProtocolPolicy: 'redirect-to-https',
        FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } }],
      });
    }
  });

  it('deploy the console function with the built file names and the security headers', () => {
    const [code] = Object.values(resourcesOf<{ FunctionCode: unknown }>(template, 'AWS::CloudFront::Function'))
      .map((fn) => JSON.stringify(fn.Properties.FunctionCode))
      .filter((text) => text.includes('@console-files'));

    for (const name of [...files, 'config.json']) expect(code).toContain(`\\"${name}\\":true`);
    expect(code).toContain('nosniff');
  });

  it('map /console/ to index.html, redirect /console and answer unknown files with 404 in the envelope', () => {
    const run = runInNewContext(`${consoleRequestSource(files, { 'x-frame-options': 'DENY' })}\n;handler`, {}) as (event: unknown) => Record<string, unknown>;

    expect(run({ request: { uri: '/console/', method: 'GET' } })).toMatchObject({ uri: '/console/index.html' });
    expect(run({ request: { uri: '/console', method: 'GET' } })).toMatchObject({ statusCode: 301, headers: { location: { value: '/console/' } } });
    expect(run({ request: { uri: '/console/nope.js', method: 'GET' } })).toMatchObject({
      statusCode: 404,
      headers: { 'x-frame-options': { value: 'DENY' } },
      body: { encoding: 'text', data: '{"error": "Not found"}' },
    });
    expect(run({ request: { uri: '/console/app.js', method: 'DELETE' } })).toMatchObject({ statusCode: 405, headers: { allow: { value: 'GET, HEAD' } } });
  });
});

describe('the console response headers policy', () => {
  const policy = () =>
    Object.values(resourcesOf<{ ResponseHeadersPolicyConfig: Record<string, unknown> }>(template, 'AWS::CloudFront::ResponseHeadersPolicy'))[0]!.Properties
      .ResponseHeadersPolicyConfig as {
      SecurityHeadersConfig: Record<string, Record<string, unknown>>;
      CustomHeadersConfig: { Items: { Header: string; Value: string; Override: boolean }[] };
    };

  it('carries the CSP of infra/console-headers.ts with the WebSocket API and S3 upload origins', () => {
    const csp = JSON.stringify(Stack.of(stack).resolve(policy().SecurityHeadersConfig.ContentSecurityPolicy));

    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    // connect-src 'self' wss://<api id>.execute-api.<region>.<suffix> https://*.s3.<region>.<suffix>
    expect(csp).toContain("connect-src 'self' wss://");
    expect(csp).toContain(logicalIdOf(stack.webSocketApi));
    expect(csp).toContain('https://*.s3.');
    expect(policy().SecurityHeadersConfig.ContentSecurityPolicy).toMatchObject({ Override: true });
  });

  it('carries every other header of the map, overriding what S3 sends', () => {
    const expected = consoleSecurityHeaders({ webSocket: 'wss://x', upload: 'https://y', trustedDownloads: [], https: true });
    const security = policy().SecurityHeadersConfig;

    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(security.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(security.ReferrerPolicy).toEqual({ ReferrerPolicy: expected['referrer-policy'], Override: true });
    expect(security.StrictTransportSecurity).toEqual({ AccessControlMaxAgeSec: hstsMaxAgeSeconds, IncludeSubdomains: true, Override: true });
    expect(policy().CustomHeadersConfig.Items).toEqual([
      { Header: 'permissions-policy', Value: expected['permissions-policy'], Override: true },
      { Header: 'cross-origin-opener-policy', Value: 'same-origin', Override: true },
    ]);
  });
});

describe('the console deployment', () => {
  interface DeploymentProps {
    DestinationBucketName: { Ref: string };
    DestinationBucketKeyPrefix: string;
    SourceMarkers: Record<string, unknown>[];
    SourceObjectKeys: unknown[];
    SystemMetadata: Record<string, string>;
    DistributionPaths: string[];
  }
  const deployment = () => Object.values(resourcesOf<DeploymentProps>(template, 'Custom::CDKBucketDeployment'))[0]!.Properties;

  it('copies the build into console/ with short browser caching, and invalidates /console/*', () => {
    expect(deployment()).toMatchObject({
      DestinationBucketName: { Ref: consoleBucketId() },
      DestinationBucketKeyPrefix: 'console/',
      SystemMetadata: { 'cache-control': consoleCacheControl },
      DistributionPaths: ['/console/*'],
    });
    expect(deployment().SourceObjectKeys).toHaveLength(2);
  });

  it('writes config.json at deploy time with the WebSocket URL', () => {
    const markers = deployment().SourceMarkers[1] as Record<string, { Ref: string }>;
    const staged = readdirSync(assembly)
      .filter((name) => name.startsWith('asset.') && statSync(join(assembly, name)).isDirectory())
      .flatMap((name) => (readdirSync(join(assembly, name)).includes('config.json') ? [readFileSync(join(assembly, name, 'config.json'), 'utf8')] : []));
    // What the deployment writes: each marker replaced by the value CloudFormation resolves.
    const deployed = staged[0]!.replace(/<<marker:0xbaba:\d+>>/g, (marker) => `\${${markers[marker]!.Ref}}`);

    expect(staged).toHaveLength(1);
    expect(JSON.parse(deployed)).toEqual({
      apiBaseUrl: '',
      wsUrl: `wss://\${${logicalIdOf(stack.webSocketApi)}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/prod`,
      trustedOrigins: [],
    });
  });

  it('publishes the ConsoleUrl output', () => {
    template.hasOutput('ConsoleUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalIdOf(stack.distribution), 'DomainName'] }, '/console/']] },
    });
  });
});

describe('building at synth time', () => {
  it('runs web/build.ts into the cloud assembly when the stack bundles', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'console-synth-'));
    try {
      const built = buildConsoleAtSynth(new Stack(new App({ outdir }), 'Probe'));

      expect(built.outDir).toBe(join(outdir, 'console-build'));
      expect(built.files).toEqual(expect.arrayContaining(['app.js', 'index.html']));
      expect(readdirSync(built.outDir).sort()).toEqual([...built.files]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 60_000);
});
