import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { uploadRetentionDays, uploadsPrefix } from '../../lib/attachments/policy';

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

/** Browsers upload with a presigned POST and fetch with a presigned GET, straight to S3, from these origins only. */
export function allowBrowserAccess(bucket: Bucket, origins: readonly string[]): void {
  bucket.addCorsRule({
    allowedMethods: [HttpMethods.POST, HttpMethods.GET],
    allowedOrigins: [...origins],
    allowedHeaders: ['*'],
    exposedHeaders: ['ETag'],
    maxAge: 3000,
  });
}
