import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** A resolved CloudFormation value in cdk-nag's notation: `<Logical.Attr>` for Fn::GetAtt, `<Name>` for Ref. */
function nagNotation(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(nagNotation).join('');
  if (value && typeof value === 'object') {
    const [[fn, args]] = Object.entries(value as Record<string, unknown>);
    if (fn === 'Ref') return `<${String(args)}>`;
    if (fn === 'Fn::GetAtt') return `<${(args as string[]).join('.')}>`;
    if (fn === 'Fn::Join') {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map(nagNotation).join(separator);
    }
  }
  throw new Error(`cannot name ${JSON.stringify(value)} as cdk-nag does`);
}

/**
 * Acknowledges AwsSolutions-IAM5 one wildcard resource at a time (the
 * objects under a bucket or prefix, a key matched by alias), never the rule
 * as a whole, so that any other wildcard (an action, a `*`) still fails the
 * synth.
 */
export function acknowledgeWildcardResources(policy: IConstruct, resources: string[], reason: string): void {
  const stack = Stack.of(policy);
  for (const resource of resources) {
    Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagNotation(stack.resolve(resource))}]`, reason });
  }
}
