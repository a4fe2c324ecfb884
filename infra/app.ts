#!/usr/bin/env node
/** The CDK app's entry (infra/cdk.json): `npm run infra:synth`, `npm run infra:deploy`. */
import { App } from 'aws-cdk-lib';
import { buildArchiveApp } from './archiveApp';
import { InfraSettingsError } from './settings';

try {
  buildArchiveApp(new App());
} catch (error) {
  // A setting is the user's to fix: one line that names it, not a stack trace.
  if (!(error instanceof InfraSettingsError)) throw error;
  console.error(`infra: ${error.message}`);
  process.exit(2);
}
