import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildArchiveApp } from '../../infra/archiveApp';

/** Synthesises the app offline with these context settings (cdk-nag runs, as at `npm run infra:synth`). */
export function synthesize(context: Record<string, unknown> = {}) {
  const app = new App({ context: { ...context }, outdir: undefined });
  const built = buildArchiveApp(app);
  const assembly = app.synth();
  return {
    ...built,
    assembly,
    archiveTemplate: Template.fromJSON(assembly.getStackByName(built.archive.stackName).template as Record<string, unknown>),
    replicaTemplate: built.replica ? Template.fromJSON(assembly.getStackByName(built.replica.stackName).template as Record<string, unknown>) : undefined,
  };
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }>;

export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

export function statementsOf(policy: { Properties: Record<string, unknown> }): Statement[] {
  return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesIn(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** The managed policy whose logical id starts with this construct id. */
export function managedPolicy(template: Template, idPrefix: string): { Properties: Record<string, unknown> } {
  const matches = Object.entries(resourcesOf(template, 'AWS::IAM::ManagedPolicy')).filter(([id]) => id.startsWith(idPrefix));
  if (matches.length !== 1) throw new Error(`expected one managed policy ${idPrefix}*, found ${matches.map(([id]) => id).join(', ') || 'none'}`);
  return matches[0][1];
}

/** A bucket's logical id by the construct id it starts with. */
export function logicalId(template: Template, type: string, idPrefix: string): string {
  const ids = Object.keys(resourcesOf(template, type)).filter((id) => id.startsWith(idPrefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} ${idPrefix}*, found ${ids.join(', ') || 'none'}`);
  return ids[0];
}
