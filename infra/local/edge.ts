import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { viewerRequestFunctionPath } from '../paths';

interface ViewerRequest {
  uri: string;
  method: string;
}

type ViewerRequestHandler = (event: { request: ViewerRequest }) => ViewerRequest;

/** Loads the CloudFront Function in an isolated context, as CloudFront runs it. */
export function loadViewerRequestFunction(path = viewerRequestFunctionPath): (uri: string, method: string) => string {
  const handler = runInNewContext(`${readFileSync(path, 'utf8')}\n;handler`, {}) as ViewerRequestHandler;
  return (uri, method) => handler({ request: { uri, method } }).uri;
}
