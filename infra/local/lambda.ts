import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import type { DepsSource } from '../../lib/deps';
import { functionDefaults } from '../../lib/routes';

const functionTimeoutSeconds = functionDefaults.timeoutSeconds;

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LocalFunction {
  name: string;
  invoke(event: unknown): Promise<unknown>;
}

export class LambdaTimeoutError extends Error {}

interface HandlerModule {
  makeHandler?: (deps: DepsSource) => LambdaHandler;
  handler?: LambdaHandler;
}

function contextFor(name: string, deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: String(functionDefaults.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Loads a handler module named by the route manifest and binds it to the
 * local stack's deps through its makeHandler factory: the same code that
 * `export const handler = makeHandler()` runs in Lambda.
 */
export function loadFunction(root: string, name: string, handlerPath: string, deps: DepsSource): LocalFunction {
  let bound: LambdaHandler | undefined;
  const resolve = (): LambdaHandler => {
    if (bound) return bound;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(join(root, handlerPath)) as HandlerModule;
    if (typeof mod.makeHandler !== 'function' || typeof mod.handler !== 'function') {
      throw new Error(`${handlerPath} must export handler and makeHandler`);
    }
    bound = mod.makeHandler(deps);
    return bound;
  };
  return {
    name,
    async invoke(event) {
      const fn = resolve();
      const deadline = Date.now() + functionTimeoutSeconds * 1000;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LambdaTimeoutError(`${name} timed out after ${functionTimeoutSeconds} s`)), functionTimeoutSeconds * 1000);
      });
      try {
        return await Promise.race([fn(event, contextFor(name, deadline)), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
