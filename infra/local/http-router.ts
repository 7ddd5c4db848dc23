// The matcher lives in lib/http/router.ts: the local gateway and the $default
// route's 404/405 answer (lib/http/not-found.ts) must match paths the same way.
export { HttpRouter, type RouteDefinition, type RouteMatch } from '../../lib/http/router';
