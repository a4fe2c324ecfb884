#!/usr/bin/env node
/** The CDK app's entry (infra/cdk.json): `npm run infra:synth`, `npm run infra:deploy`. */
import { App } from 'aws-cdk-lib';
import { buildArchiveApp } from './archiveApp';

buildArchiveApp(new App());
