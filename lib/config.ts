import * as z from './validation';
import { limits } from './limits';

/**
 * Runtime configuration, read from the environment the same way in Lambda
 * (set by the CDK stack) and in the local stack (set by infra/local).
 */
const schema = z.object({
  TABLE_NAME: z.string().check(z.minLength(3)),
  CONNECTIONS_TABLE_NAME: z.string().check(z.minLength(3)),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  /** Local only: DynamoDB Local's URL. Unset in AWS. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  /** The WebSocket API's management endpoint: https://{api}.execute-api.{region}.amazonaws.com/{stage} */
  WS_MANAGEMENT_ENDPOINT: z.optional(z.url()),
  /** The attachments bucket; only functions that handle attachments get it. */
  BUCKET_NAME: z.optional(z.string().check(z.minLength(3))),
  /** Local only: the S3 emulator's URL. Unset in AWS. */
  S3_ENDPOINT: z.optional(z.url()),
  /** A store may send this many messages per window (batch items count one each). */
  STORE_SEND_LIMIT: z._default(z.coerce.number().check(z.int(), z.positive()), 30),
  STORE_SEND_WINDOW_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), 60),
  /** A store or admin may get this many upload tickets per window (README, "Limits"). */
  UPLOAD_TICKET_LIMIT: z._default(z.coerce.number().check(z.int(), z.positive()), limits.uploadTicketsPerWindow),
  UPLOAD_TICKET_WINDOW_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive()), limits.uploadTicketWindowSeconds),
  /**
   * The accepted values of CloudFront's x-origin-verify header, comma-separated (the current one,
   * the previous and the next one: README "Origin check"). Only the HTTP route functions and the $default route get it.
   */
  ORIGIN_VERIFY_SECRETS: z.optional(z.string()),
  /** Upper bound for one @connections call, so a slow socket cannot hold a send. */
  PUSH_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.positive()), 2000),
});

export type Config = z.infer<typeof schema>;

/**
 * The variables with a default other than the region: the limits an operator may tune.
 * `npm start` passes them from its own environment to the local functions (README "The local stack").
 */
export const tunableVariables: readonly string[] = Object.entries(schema.shape)
  .filter(([key, type]) => type instanceof z.ZodMiniDefault && key !== 'AWS_REGION')
  .map(([key]) => key);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new Error(`Invalid configuration: ${fields}`);
  }
  return parsed.data;
}
