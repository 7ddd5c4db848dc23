import { ApiGatewayManagementApiClient, DeleteConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { awsHttpHandler, localCredentials } from '../aws-http';

export type PushOutcome = 'delivered' | 'gone' | 'failed';
/** `gone` (410): the socket had already closed, which is as good as closing it. */
export type DisconnectOutcome = 'closed' | 'gone' | 'failed';

/** Sends one frame to one WebSocket connection, or closes it. */
export interface Pusher {
  send(connectionId: string, payload: string): Promise<PushOutcome>;
  /** `DELETE @connections/{id}`: API Gateway closes the socket, then runs $disconnect. */
  disconnect(connectionId: string): Promise<DisconnectOutcome>;
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

/** A pusher whose client can be released, for short-lived tools such as the ops CLI. */
export type ClosablePusher = Pusher & { destroy(): void };

export function createApiGatewayPusher(options: ApiGatewayPusherOptions): ClosablePusher {
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
    async disconnect(connectionId) {
      try {
        await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }), { abortSignal: AbortSignal.timeout(options.timeoutMs * 2) });
        return 'closed';
      } catch (error) {
        if ((error as { name?: string }).name === 'GoneException') return 'gone';
        return 'failed';
      }
    },
    destroy() {
      client.destroy();
    },
  };
}
