import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { repoRoot } from './defaults';

/**
 * The contracts and a reference page, on a port of their own (`DOCS_PORT`, README "Contracts").
 *
 * Not paths on the HTTP gateway: API Gateway has no such routes, and every path the gateway answers
 * must answer as AWS does (its `$default` route 404s everything else), so docs there would make the
 * local API more lenient than the deployed one. The page is Swagger UI's prebuilt bundle from the
 * `swagger-ui-dist` package, served from node_modules: it works offline and needs no CDN.
 */

/** The swagger-ui-dist files the page loads; nothing else from node_modules is served. */
const swaggerUiDir = dirname(require.resolve('swagger-ui-dist/package.json'));
const assets: Record<string, { file: string; type: string }> = {
  '/swagger-ui/swagger-ui.css': { file: join(swaggerUiDir, 'swagger-ui.css'), type: 'text/css; charset=utf-8' },
  '/swagger-ui/swagger-ui-bundle.js': { file: join(swaggerUiDir, 'swagger-ui-bundle.js'), type: 'text/javascript; charset=utf-8' },
  '/swagger-ui/favicon-32x32.png': { file: join(swaggerUiDir, 'favicon-32x32.png'), type: 'image/png' },
  // Read at each request, so a `npm run contracts` shows without a restart.
  '/openapi.json': { file: join(repoRoot, 'docs', 'openapi.json'), type: 'application/json; charset=utf-8' },
  '/asyncapi.json': { file: join(repoRoot, 'docs', 'asyncapi.json'), type: 'application/json; charset=utf-8' },
};

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Support chat API reference</title>
  <link rel="icon" href="/swagger-ui/favicon-32x32.png">
  <link rel="stylesheet" href="/swagger-ui/swagger-ui.css">
  <style>body { margin: 0; font-family: sans-serif; } .contracts { padding: 12px 20px; background: #f5f5f5; }</style>
</head>
<body>
  <p class="contracts">
    HTTP API: <a href="/openapi.json">openapi.json</a> (OpenAPI 3.1, rendered below).
    WebSocket API: <a href="/asyncapi.json">asyncapi.json</a> (AsyncAPI 3.0): open it in AsyncAPI Studio
    (paste it at studio.asyncapi.com, or run the AsyncAPI CLI's <code>asyncapi start studio</code> offline), or read README "Admin WebSocket" and "Store WebSocket".
  </p>
  <div id="swagger-ui"></div>
  <script src="/swagger-ui/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null, tryItOutEnabled: false });
  </script>
</body>
</html>
`;

export interface DocsServer {
  url: string;
  close(): Promise<void>;
}

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
    return;
  }
  const asset = assets[path];
  const body = path === '/' ? Buffer.from(page) : asset ? await readFile(asset.file) : undefined;
  if (!body) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: the reference is at /, the contracts at /openapi.json and /asyncapi.json\n');
    return;
  }
  response.writeHead(200, { 'content-type': asset?.type ?? 'text/html; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-cache' });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Serves `/` (the reference page), `/openapi.json` and `/asyncapi.json` on host:port (0 picks a free port). */
export async function startDocsServer(options: { host: string; port: number }): Promise<DocsServer> {
  const server = createServer((request, response) => {
    answer(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Could not read the file: run `npm run contracts`\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException & { port?: number }) => reject(Object.assign(error, { port: options.port })));
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
