import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { repoRoot } from '../../infra/paths';

/** cdk.json's feature flags, so tests see the template `cdk synth` deploys. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/** An app configured like `cdk synth`; `bundle: false` skips esbuild for fast structural tests. */
export function testApp({ bundle }: { bundle: boolean }): App {
  return new App({
    context: {
      ...cdkJsonContext(),
      // The CLI sets this; it records where each function's bundle was staged.
      'aws:cdk:enable-asset-metadata': true,
      ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
}

export function logicalIdOf(construct: IConstruct): string {
  const element = construct.node.defaultChild as CfnElement | undefined;
  if (!element) throw new Error(`${construct.node.path} has no default child`);
  return element.stack.getLogicalId(element);
}

export interface Ref {
  Ref: string;
}

export interface Resource<P = Record<string, unknown>> {
  Type: string;
  Properties: P;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/** findResources, typed by the caller. */
export function resourcesOf<P>(template: Template, type: string): Record<string, Resource<P>> {
  return template.findResources(type) as Record<string, Resource<P>>;
}

export function resourceOf<P>(template: Template, type: string, logicalId: string): Resource<P> {
  const resource = resourcesOf<P>(template, type)[logicalId];
  if (!resource) throw new Error(`no ${type} ${logicalId}`);
  return resource;
}

/** True if a CloudFormation value mentions the logical id via Ref or Fn::GetAtt. */
export function references(value: unknown, logicalId: string): boolean {
  const text = JSON.stringify(value);
  return text.includes(JSON.stringify({ Ref: logicalId })) || text.includes(`"Fn::GetAtt":["${logicalId}",`);
}
