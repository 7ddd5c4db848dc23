import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { awsHttpHandler, localCredentials } from '../aws-http';

export type PushOutcome = 'delivered' | 'gone' | 'failed';

/** Sends one frame to one WebSocket connection. */
export interface Pusher {
  send(connectionId: string, payload: string): Promise<PushOutcome>;
}

export interface ApiGatewayPusherOptions {
  endpoint: string;
  region: string;
  timeoutMs: number;
  /** Above the SDK's default of 50 sockets, so a large fan-out does not queue. */
  maxSockets?: number;
  /** Lets the local stack add middleware (its grant checks) to the client. */
  configure?: ((client: ApiGatewayManagementApiClient) => void) | undefined;
}

export function createApiGatewayPusher(options: ApiGatewayPusherOptions): Pusher {
  const isLocal = options.endpoint.startsWith('http://');
  const client = new ApiGatewayManagementApiClient({
    endpoint: options.endpoint,
    region: options.region,
    ...(isLocal ? { credentials: localCredentials } : {}),
    // At most once: a retried push whose first attempt only timed out would arrive twice.
    // A push that fails is recovered from history (see README: reconnecting).
    maxAttempts: 1,
    requestHandler: awsHttpHandler({ maxSockets: options.maxSockets ?? 1000, connectMs: options.timeoutMs, requestMs: options.timeoutMs }),
  });
  options.configure?.(client);
  return {
    async send(connectionId, payload) {
      try {
        await client.send(
          new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(payload) }),
          { abortSignal: AbortSignal.timeout(options.timeoutMs * 2) },
        );
        return 'delivered';
      } catch (error) {
        if ((error as { name?: string }).name === 'GoneException') return 'gone';
        return 'failed';
      }
    },
  };
}
