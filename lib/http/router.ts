import type { HttpMethod } from '../routes';

/**
 * Route matching as an API Gateway HTTP API does it: exact, case-sensitive
 * segments; a {var} matches one non-empty segment; a trailing {var+} matches
 * one or more; literal segments beat variables, variables beat greedy ones,
 * and a specific method beats ANY. "/x/" does not match "/x".
 */
export interface RouteDefinition<T> {
  method: HttpMethod | 'ANY';
  path: string;
  target: T;
}

export interface RouteMatch<T> {
  route: RouteDefinition<T>;
  routeKey: string;
  pathParameters: Record<string, string> | undefined;
}

type Segment = { kind: 'literal'; value: string } | { kind: 'variable'; name: string } | { kind: 'greedy'; name: string };

interface Compiled<T> {
  route: RouteDefinition<T>;
  segments: Segment[];
}

const variablePattern = /^\{([A-Za-z0-9._:-]+)(\+?)\}$/;

function compile(path: string): Segment[] {
  if (!path.startsWith('/')) throw new Error(`Route path must start with "/": ${path}`);
  if (path.length > 1 && path.endsWith('/')) throw new Error(`Route path cannot end in "/": ${path}`);
  const parts = path === '/' ? [] : path.slice(1).split('/');
  return parts.map((part, index) => {
    const variable = variablePattern.exec(part);
    if (!variable) {
      if (part === '' || part.includes('{') || part.includes('}')) throw new Error(`Invalid route segment in ${path}`);
      return { kind: 'literal', value: part };
    }
    const name = variable[1] ?? '';
    if (variable[2] === '+') {
      if (index !== parts.length - 1) throw new Error(`A greedy variable must end the path: ${path}`);
      return { kind: 'greedy', name };
    }
    return { kind: 'variable', name };
  });
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (!segment) return undefined;
    if (segment.kind === 'greedy') {
      const rest = parts.slice(i).join('/');
      if (rest === '') return undefined;
      params[segment.name] = decode(rest);
      return params;
    }
    const part = parts[i];
    if (part === undefined || part === '') return undefined;
    if (segment.kind === 'literal' && segment.value !== part) return undefined;
    if (segment.kind === 'variable') params[segment.name] = decode(part);
  }
  return parts.length === segments.length ? params : undefined;
}

/** Lower is more specific: compares segment kinds left to right, then the method. */
function specificity(compiled: Compiled<unknown>): number[] {
  const rank = { literal: 0, variable: 1, greedy: 2 } as const;
  return [...compiled.segments.map((segment) => rank[segment.kind]), compiled.route.method === 'ANY' ? 1 : 0];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? -1) - (b[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}

export class HttpRouter<T> {
  private readonly compiled: Compiled<T>[];

  constructor(routes: RouteDefinition<T>[]) {
    this.compiled = routes.map((route) => ({ route, segments: compile(route.path) }));
  }

  /**
   * The methods some route accepts on this path, sorted: what a 405's Allow
   * header lists. Empty when no route has the path (a 404). An ANY route
   * accepts every method, so it lists `anyMethods`.
   */
  allowedMethods(rawPath: string, anyMethods: readonly string[] = []): string[] {
    if (!rawPath.startsWith('/')) return [];
    const parts = rawPath === '/' ? [] : rawPath.slice(1).split('/');
    const methods = this.compiled
      .filter(({ segments }) => matchSegments(segments, parts) !== undefined)
      .flatMap(({ route }) => (route.method === 'ANY' ? [...anyMethods] : [route.method]));
    return [...new Set(methods)].sort();
  }

  match(method: string, rawPath: string): RouteMatch<T> | undefined {
    const parts = rawPath === '/' ? [] : rawPath.slice(1).split('/');
    const candidates = this.compiled
      .filter(({ route }) => route.method === 'ANY' || route.method === method)
      .map((compiled) => ({ compiled, params: matchSegments(compiled.segments, parts) }))
      .filter((candidate): candidate is { compiled: Compiled<T>; params: Record<string, string> } => candidate.params !== undefined)
      .sort((a, b) => compare(specificity(a.compiled), specificity(b.compiled)));
    const best = candidates[0];
    if (!best || !rawPath.startsWith('/')) return undefined;
    const { route } = best.compiled;
    return {
      route,
      routeKey: `${route.method} ${route.path}`,
      pathParameters: Object.keys(best.params).length > 0 ? best.params : undefined,
    };
  }
}
