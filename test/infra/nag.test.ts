import { Stack, type App } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { acknowledgementsUnder, addNagChecks, type Acknowledgement } from '../../infra/nag';
import { ChatStack } from '../../infra/stack';
import { testApp } from './synth';

/** cdk-nag's AwsSolutions pack over the whole app, wired as infra/app.ts wires it. */

interface Finding {
  rule: string;
  path: string;
}

function findingsOf(pack: AwsSolutionsChecks, root: IConstruct): Finding[] {
  return pack.validateScope(root).violations.flatMap((violation) => violation.violatingResources.map((resource) => ({ rule: violation.ruleName, path: resource.constructPath ?? '?' })));
}

/** What the pack reports when it ignores every acknowledgement. */
function rawFindingsOf(root: IConstruct): Finding[] {
  const pack = new AwsSolutionsChecks();
  // Private in cdk-nag; replaced so the test can see what each acknowledgement answers.
  Object.assign(pack, { isAcknowledged: () => false });
  return findingsOf(pack, root);
}

let app: App;
let pack: AwsSolutionsChecks;
let synthError: unknown;
let ours: Acknowledgement[];

beforeAll(() => {
  app = testApp({ bundle: false });
  new ChatStack(app, 'SupportChat');
  pack = addNagChecks(app);
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  // The ones this project wrote; aws-cdk-lib records a few of its own for its built-in checks.
  ours = acknowledgementsUnder(app).filter((ack) => ack.id.startsWith('AwsSolutions-'));
}, 60_000);

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged, errors or warnings, so synthesis succeeds', () => {
    expect(findingsOf(pack, app)).toEqual([]);
    // In-memory synthesis throws the whole report when the plugin fails.
    expect(synthError).toBeUndefined();
  });

  it('fails synthesis on a finding nobody acknowledged', () => {
    const other = testApp({ bundle: false });
    const stack = new ChatStack(other, 'SupportChat');
    // No TLS policy, no encryption: AwsSolutions-SNS3.
    new Topic(stack, 'Unprotected');
    addNagChecks(other);

    expect(() => other.synth()).toThrow(/SupportChat\/Unprotected\/Resource[\s\S]*AwsSolutions-SNS3/);
  });

  it('acknowledges only these rules; adding one is a decision for review', () => {
    const rules = [...new Set(ours.map((ack) => ack.id.replace(/\[.*\]$/, '')))].sort();

    expect(rules).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR4', 'AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-SMG4']);
  });

  it('needs no CFR2 acknowledgement once the distribution has a web ACL', () => {
    const other = testApp({ bundle: false });
    const stack = new ChatStack(other, 'SupportChat', { webAcl: { arn: 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/chat/abc' } });
    const withAcl = addNagChecks(other);

    other.synth();

    expect(findingsOf(withAcl, other)).toEqual([]);
    expect(acknowledgementsUnder(stack).map((ack) => ack.id)).not.toContain('AwsSolutions-CFR2');
  });

  it('gives every acknowledgement a specific written reason', () => {
    expect(ours.length).toBeGreaterThan(0);
    const trivial = /^(n\/?a|todo|tbd|ok|fine|ignore|suppress(ed)?|false positive|not (needed|required|applicable))\.?$/i;
    for (const { id, path, reason } of acknowledgementsUnder(app)) {
      const specific = reason.trim().split(/\s+/).length >= 10 && !trivial.test(reason.trim());
      expect({ id, path, reason, specific }).toEqual({ id, path, reason, specific: true });
    }
    // Written for the finding at hand, not pasted across rules.
    const reasonsByRule = new Map<string, Set<string>>();
    for (const ack of ours) reasonsByRule.set(ack.reason, (reasonsByRule.get(ack.reason) ?? new Set()).add(ack.id.replace(/\[.*\]$/, '')));
    for (const [reason, rules] of reasonsByRule) expect({ reason, rules: [...rules] }).toEqual({ reason, rules: [expect.any(String)] });
  });

  it('scopes every acknowledgement to a resource, never to the app or a whole stack', () => {
    for (const ack of ours) {
      const construct = app.node.findAll().find((node) => node.node.path === ack.path)!;
      expect({ path: ack.path, isStack: Stack.isStack(construct) || construct === app }).toEqual({ path: ack.path, isStack: false });
    }
  });

  it('names the exact finding for rules that report several (IAM4, IAM5)', () => {
    for (const ack of ours.filter((item) => /^AwsSolutions-IAM[45]\b/.test(item.id))) expect(ack.id).toMatch(/^AwsSolutions-IAM[45]\[(Policy|Resource|Action)::.+\]$/);
  });

  it('acknowledges only findings that exist, on the construct that raises them or its parent', () => {
    const raw = rawFindingsOf(app);

    for (const ack of ours) {
      const answered = raw.filter((finding) => finding.rule === ack.id && (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`)));
      expect({ ack: `${ack.id} on ${ack.path}`, answered: answered.length > 0 }).toEqual({ ack: `${ack.id} on ${ack.path}`, answered: true });
    }
  });
});
