import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { NodeHttpHandler } from '@smithy/node-http-handler';

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
}

const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function createApiGatewayPusher(options: ApiGatewayPusherOptions): Pusher {
  const isLocal = options.endpoint.startsWith('http://');
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 1000 };
  const client = new ApiGatewayManagementApiClient({
    endpoint: options.endpoint,
    region: options.region,
    ...(isLocal ? { credentials: localCredentials } : {}),
    // One retry for a transient 5xx; the timeout bounds the whole send.
    maxAttempts: 2,
    requestHandler: new NodeHttpHandler({
      httpsAgent: new Agent(agentOptions),
      httpAgent: new HttpAgent(agentOptions),
      connectionTimeout: options.timeoutMs,
      requestTimeout: options.timeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
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
