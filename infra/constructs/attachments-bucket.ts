import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { uploadRetentionDays, uploadsPrefix } from '../../lib/attachments/policy';
import { uploadCorsRule } from '../console-headers';

/** Noncurrent (overwritten or deleted) attachment versions are kept this long, then expire. */
export const noncurrentVersionRetentionDays = 7;

/**
 * The attachments bucket (README, "Encryption, retention and deletion"), created in `scope` (the stack)
 * so its logical ID stays that of the deployed stack. Its server access logs go to `accessLogsBucket`.
 */
export function attachmentsBucket(scope: Construct, accessLogsBucket: IBucket): Bucket {
  return new Bucket(scope, 'AttachmentsBucket', {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    encryption: BucketEncryption.S3_MANAGED,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    // An overwrite or a delete (by mistake or by a leaked role) can be undone for noncurrentVersionRetentionDays.
    versioned: true,
    // Downloads go straight to S3 with presigned URLs, so only S3 can record who fetched what.
    serverAccessLogsBucket: accessLogsBucket,
    serverAccessLogsPrefix: 's3/attachments/',
    // Sent attachments are chat history, kept like the tables.
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      // Sending copies an upload to attachments/, so what is left under uploads/ was abandoned.
      { prefix: uploadsPrefix, expiration: Duration.days(uploadRetentionDays) },
      // Versions replaced or deleted (and the delete markers left once they are gone) do not pile up.
      { noncurrentVersionExpiration: Duration.days(noncurrentVersionRetentionDays), expiredObjectDeleteMarker: true },
      { abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ],
    // No CORS rule here: allowBrowserAccess adds it once the distribution, its default origin, exists.
  });
}

/**
 * Browser pages on these origins (the console's) may POST presigned uploads with XMLHttpRequest and read the
 * answer; the rule is uploadCorsRule (infra/console-headers.ts), which the local S3 emulator applies too.
 * Downloads need no rule: <img> and links do not use CORS.
 */
export function allowBrowserAccess(bucket: Bucket, origins: readonly string[]): void {
  bucket.addCorsRule({
    allowedMethods: uploadCorsRule.allowedMethods.map((method) => HttpMethods[method]),
    allowedOrigins: [...origins],
    ...(uploadCorsRule.allowedHeaders.length ? { allowedHeaders: [...uploadCorsRule.allowedHeaders] } : {}),
    maxAge: uploadCorsRule.maxAgeSeconds,
  });
}
