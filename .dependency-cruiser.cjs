/**
 * The layers, checked by `npm run lint` (dependency-cruiser): the domain is
 * pure, adapters are edges that know the domain and the settings, Functions
 * are thin, and the product never reaches into the local stack or the tests.
 */
const RUNS = '^src/(ingest|poller|reconcile|sender|configure|warehouse|cli|functions)/';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/domain imports nothing but itself and Node built-ins: no packages, no I/O, no other layer.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: ['^src/domain/', '^(node:)?[a-z_]+$'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'settings-know-only-the-domain',
      comment: 'src/config reads the environment into settings; it may use the domain, nothing above it.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: ['^src/(config|domain)/'] },
    },
    {
      name: 'adapters-import-domain-and-settings-only',
      comment: 'An adapter (AWS, Twilio, the archive, files) may use the domain, the settings and other adapters, never a run, a command or the ingest path.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: '^src/', pathNot: ['^src/(adapters|config|domain)/'] },
    },
    {
      name: 'functions-are-thin',
      comment: 'A Twilio Function is HTTP in, record out: it imports the ingest path and nothing else of ours.',
      severity: 'error',
      from: { path: '^src/functions/' },
      to: { path: '^src/', pathNot: ['^src/ingest/'] },
    },
    {
      name: 'runs-do-not-import-commands',
      comment: 'The ingest path, the poller, the reconciliation and the sender are libraries: the command layer (src/cli) uses them, not the reverse.',
      severity: 'error',
      from: { path: '^src/(ingest|poller|reconcile|sender|configure|warehouse)/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'product-never-imports-the-development-tools',
      comment:
        'dev/ (the local stack, the fake Twilio API, the local Firehose) is for development: nothing deployed or installed may depend on it, but the one command that serves the local Firehose.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/localFirehose\\.ts$' },
      to: { path: '^dev/' },
    },
    {
      name: 'product-never-imports-tests-or-scripts',
      severity: 'error',
      from: { path: '^(src|dev)/' },
      to: { path: '^(test|scripts)/' },
    },
    {
      name: 'infrastructure-knows-only-the-domain-and-the-settings',
      comment: 'infra/ (the CDK app) takes the archive layout from the settings and the domain; it never loads a run, an adapter or the local stack.',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^(src|dev|scripts|test)/', pathNot: ['^src/(config|domain)/'] },
    },
    {
      name: 'product-never-imports-the-infrastructure',
      comment: 'aws-cdk-lib and cdk-nag are development dependencies: nothing installed or deployed may load infra/.',
      severity: 'error',
      from: { path: '^(src|dev|scripts)/' },
      to: { path: '^infra/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: RUNS },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|dist-tsc)/' },
  },
};
