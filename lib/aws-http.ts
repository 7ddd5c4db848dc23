import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * The request handler every AWS client here uses: kept-alive sockets (more
 * than the SDK's default of 50 where fan-out needs them) and timeouts that
 * fail the call instead of only logging a warning.
 */
export function awsHttpHandler({ maxSockets, connectMs, requestMs }: { maxSockets: number; connectMs: number; requestMs: number }): NodeHttpHandler {
  const agentOptions = { keepAlive: true, maxSockets };
  return new NodeHttpHandler({
    httpsAgent: new Agent(agentOptions),
    httpAgent: new HttpAgent(agentOptions),
    connectionTimeout: connectMs,
    requestTimeout: requestMs,
    throwOnRequestTimeout: true,
  });
}

/** Emulators accept any key pair; real AWS uses the default credential chain. */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
