import { iso, listMeta, notFound, problem, sidOf, type FakeAnswer } from './fakeAnswers';

export type Visibility = 'public' | 'protected' | 'private';

/**
 * The `@twilio/runtime-handler` versions Twilio's build accepts, by runtime,
 * as far as they are known (docs/deploy.md gives each source): 2.0.3 on
 * node22, which create-twilio-function scaffolds and the toolkit aligned on;
 * 2.1.0, npm's `latest`, is refused (toolkit commit 8df4cb6, issue #564);
 * node24 wants 2.1.2, which is not on npm.
 */
export const TWILIO_ACCEPTED_RUNTIME_HANDLERS: Readonly<Record<string, readonly string[]>> = {
  node22: ['2.0.3'],
  node24: ['2.1.2'],
};

const HANDLER = '@twilio/runtime-handler';
const HANDLER_PAGE = 'https://www.twilio.com/docs/serverless/functions-assets/handler';
const EPOCH = new Date('2026-01-05T10:00:00Z');

interface FakeVersion {
  sid: string;
  resourceSid: string;
  path: string;
  visibility: Visibility;
  content: Buffer;
  created: Date;
}

/** A Function or an Asset: a named resource whose uploads are versions. */
interface FakeResource {
  sid: string;
  friendlyName: string;
  versions: FakeVersion[];
  created: Date;
}

export interface FakeVariable {
  sid: string;
  key: string;
  value: string;
  created: Date;
  updated: Date;
}

export interface FakeEnvironment {
  sid: string;
  uniqueName: string;
  domainSuffix: string | null;
  domainName: string;
  buildSid: string | null;
  variables: FakeVariable[];
  deployments: { sid: string; buildSid: string; created: Date }[];
  created: Date;
}

export interface FakeBuild {
  sid: string;
  status: 'building' | 'completed' | 'failed';
  functionVersions: string[];
  assetVersions: string[];
  dependencies: { name: string; version: string }[];
  runtime: string;
  /** Status polls still to answer `building`. */
  pollsLeft: number;
  created: Date;
}

export interface FakeServerlessService {
  sid: string;
  accountSid: string;
  uniqueName: string;
  friendlyName: string;
  includeCredentials: boolean;
  uiEditable: boolean;
  domainBase: string;
  environments: FakeEnvironment[];
  functions: FakeResource[];
  assets: FakeResource[];
  builds: FakeBuild[];
  created: Date;
}

/** A deployed Function as a test reads it back: where it is, what it is, the bytes uploaded. */
export interface DeployedFunction {
  path: string;
  visibility: Visibility;
  content: Buffer;
}

/** A service to start a test from, as configure-callback and configure-event-stream find one. */
export interface ServiceSeed {
  account_sid: string;
  unique_name: string;
  environments: {
    sid?: string;
    unique_name: string;
    domain_suffix: string | null;
    domain_name: string;
    build: { sid?: string; functions: { path: string; visibility: Visibility }[] } | null;
    variables?: Record<string, string>;
  }[];
}

/** One answer the stand-in gave, kept so that a test can check every one against Twilio's spec. */
export interface ServerlessExchange {
  method: string;
  host: string;
  path: string;
  status: number;
  body: unknown;
}

export interface FakeServerlessOptions {
  /** Handler versions the builds accept, by runtime. @default TWILIO_ACCEPTED_RUNTIME_HANDLERS */
  acceptedRuntimeHandlers?: Readonly<Record<string, readonly string[]>>;
  /** Status polls a new build answers `building` before `completed`. @default 1 */
  buildPolls?: number;
}

const SID = '[0-9a-fA-F]{32}';
const route = (pattern: string) => new RegExp(`^/v1/Services${pattern}$`);
const ROUTES = {
  services: route(''),
  service: route(`/(ZS${SID})`),
  environments: route(`/(ZS${SID})/Environments`),
  environment: route(`/(ZS${SID})/Environments/(ZE${SID})`),
  variables: route(`/(ZS${SID})/Environments/(ZE${SID})/Variables`),
  variable: route(`/(ZS${SID})/Environments/(ZE${SID})/Variables/(ZV${SID})`),
  deployments: route(`/(ZS${SID})/Environments/(ZE${SID})/Deployments`),
  resources: route(`/(ZS${SID})/(Functions|Assets)`),
  resource: route(`/(ZS${SID})/(Functions|Assets)/(ZH${SID})`),
  versions: route(`/(ZS${SID})/(Functions|Assets)/(ZH${SID})/Versions`),
  version: route(`/(ZS${SID})/(Functions|Assets)/(ZH${SID})/Versions/(ZN${SID})`),
  builds: route(`/(ZS${SID})/Builds`),
  build: route(`/(ZS${SID})/Builds/(ZB${SID})`),
  buildStatus: route(`/(ZS${SID})/Builds/(ZB${SID})/Status`),
};

/**
 * A stand-in for Twilio's Serverless API (serverless.twilio.com/v1, uploads
 * to serverless-upload.twilio.com/v1), for the fake Twilio API: the
 * resources `twilio-run deploy` and `twilio serverless:deploy` create and the
 * configure commands read: Services, Environments, Functions and Assets with
 * their versions (the multipart upload, on the upload host only), Builds with
 * their dependencies and runtime, Build status, Deployments and Variables.
 * Answers are shaped as Twilio's spec says (the tests check every one). Like
 * Twilio, a build refuses an unknown runtime, and a runtime handler that
 * runtime does not accept, with error 20001.
 */
export class FakeServerless {
  private readonly services = new Map<string, FakeServerlessService>();
  private readonly accepted: Readonly<Record<string, readonly string[]>>;
  private readonly buildPolls: number;
  /** Every answer, in order. */
  readonly exchanges: ServerlessExchange[] = [];

  constructor(
    private readonly baseUrl: () => string,
    options: FakeServerlessOptions = {},
  ) {
    this.accepted = options.acceptedRuntimeHandlers ?? TWILIO_ACCEPTED_RUNTIME_HANDLERS;
    this.buildPolls = options.buildPolls ?? 1;
  }

  /** Every service of every account. */
  list(): FakeServerlessService[] {
    return [...this.services.values()];
  }

  /** The Functions deployed in an environment (by unique name or domain suffix): its active build's, with their content. */
  deployedFunctions(service: FakeServerlessService, environment: string): DeployedFunction[] {
    const env = service.environments.find((e) => e.uniqueName === environment || e.domainSuffix === environment);
    const build = service.builds.find((b) => b.sid === env?.buildSid);
    if (!build) return [];
    return build.functionVersions.map((sid) => {
      const version = service.functions.flatMap((f) => f.versions).find((v) => v.sid === sid)!;
      return { path: version.path, visibility: version.visibility, content: version.content };
    });
  }

  /** A service as if deployed earlier: its environments, each with the build deployed there (if any) and its variables. */
  putService(seed: ServiceSeed): FakeServerlessService {
    const service = this.newService(seed.account_sid, seed.unique_name, seed.unique_name);
    for (const e of seed.environments) {
      const environment: FakeEnvironment = {
        sid: e.sid ?? sidOf('ZE'),
        uniqueName: e.unique_name,
        domainSuffix: e.domain_suffix,
        domainName: e.domain_name,
        buildSid: null,
        variables: Object.entries(e.variables ?? {}).map(([key, value]) => ({ sid: sidOf('ZV'), key, value, created: EPOCH, updated: EPOCH })),
        deployments: [],
        created: EPOCH,
      };
      service.environments.push(environment);
      if (e.build === null) continue;
      const versions = e.build.functions.map((f) => {
        const resource: FakeResource = { sid: sidOf('ZH'), friendlyName: f.path.slice(1), versions: [], created: EPOCH };
        const version: FakeVersion = {
          sid: sidOf('ZN'),
          resourceSid: resource.sid,
          path: f.path,
          visibility: f.visibility,
          content: Buffer.alloc(0),
          created: EPOCH,
        };
        resource.versions.push(version);
        service.functions.push(resource);
        return version.sid;
      });
      const build: FakeBuild = {
        sid: e.build.sid ?? sidOf('ZB'),
        status: 'completed',
        functionVersions: versions,
        assetVersions: [],
        dependencies: [],
        runtime: 'node22',
        pollsLeft: 0,
        created: EPOCH,
      };
      service.builds.push(build);
      environment.buildSid = build.sid;
    }
    return service;
  }

  /**
   * The answer for a Serverless request of this account, or undefined when
   * the path is not the Serverless API's. `host` tells the upload host from
   * the API's; `body` is the raw request body (a form, or multipart for an upload).
   */
  async handle(method: string, host: string, url: URL, accountSid: string, contentType: string, body: Buffer): Promise<FakeAnswer | undefined> {
    const answer = await this.answer(method, host, url.pathname, accountSid, contentType, body);
    if (answer) this.exchanges.push({ method, host, path: url.pathname, status: answer.status, body: answer.body });
    return answer;
  }

  private async answer(method: string, host: string, path: string, accountSid: string, contentType: string, body: Buffer): Promise<FakeAnswer | undefined> {
    const form = () => new URLSearchParams(body.toString('utf8'));
    if (ROUTES.services.test(path)) {
      if (method === 'POST') return this.createService(accountSid, form());
      return {
        status: 200,
        body: this.page(
          'services',
          path,
          this.ofAccount(accountSid).map((s) => this.serviceResource(s)),
        ),
      };
    }
    const match = (name: keyof typeof ROUTES) => ROUTES[name].exec(path);
    const serviceSid = /^\/v1\/Services\/(ZS[0-9a-fA-F]{32})/.exec(path)?.[1];
    if (serviceSid === undefined) return undefined;
    const service = this.services.get(serviceSid);
    if (!service || service.accountSid !== accountSid) return notFound(path);

    if (match('service')) return method === 'GET' ? { status: 200, body: this.serviceResource(service) } : methodNotAllowed();
    if (match('environments')) {
      if (method === 'POST') return this.createEnvironment(service, form());
      return {
        status: 200,
        body: this.page(
          'environments',
          path,
          service.environments.map((e) => this.environmentResource(service, e)),
        ),
      };
    }
    const env = match('environment') ?? match('variables') ?? match('variable') ?? match('deployments');
    if (env) {
      const environment = service.environments.find((e) => e.sid === env[2]);
      if (!environment) return notFound(path);
      if (match('environment')) return { status: 200, body: this.environmentResource(service, environment) };
      if (match('variables')) {
        if (method === 'POST') return this.createVariable(service, environment, form());
        return {
          status: 200,
          body: this.page(
            'variables',
            path,
            environment.variables.map((v) => this.variableResource(service, environment, v)),
          ),
        };
      }
      if (match('variable')) return this.variable(method, service, environment, env[3], form());
      if (method === 'POST') return this.deploy(service, environment, form());
      return {
        status: 200,
        body: this.page(
          'deployments',
          path,
          environment.deployments.map((d) => this.deploymentResource(service, environment, d)),
        ),
      };
    }
    const resources = match('resources');
    if (resources) {
      const kind = resources[2] as 'Functions' | 'Assets';
      if (method === 'POST') return this.createResource(service, kind, form());
      return {
        status: 200,
        body: this.page(
          kind.toLowerCase(),
          path,
          this.resourcesOf(service, kind).map((r) => this.resourceResource(service, kind, r)),
        ),
      };
    }
    const one = match('resource') ?? match('versions') ?? match('version');
    if (one) {
      const kind = one[2] as 'Functions' | 'Assets';
      const resource = this.resourcesOf(service, kind).find((r) => r.sid === one[3]);
      if (!resource) return notFound(path);
      if (match('resource')) return { status: 200, body: this.resourceResource(service, kind, resource) };
      if (match('version')) {
        const version = resource.versions.find((v) => v.sid === one[4]);
        return version ? { status: 200, body: this.versionResource(service, kind, version) } : notFound(path);
      }
      if (method === 'POST') {
        // Uploads go to serverless-upload.twilio.com; the API's own host has no such operation.
        if (!host.startsWith('serverless-upload.')) return notFound(path);
        return this.upload(service, kind, resource, contentType, body);
      }
      return {
        status: 200,
        body: this.page(
          `${kind === 'Functions' ? 'function' : 'asset'}_versions`,
          path,
          resource.versions.map((v) => this.versionResource(service, kind, v)),
        ),
      };
    }
    if (match('builds')) {
      if (method === 'POST') return this.createBuild(service, form());
      return {
        status: 200,
        body: this.page(
          'builds',
          path,
          service.builds.map((b) => this.buildResource(service, b)),
        ),
      };
    }
    const build = match('build') ?? match('buildStatus');
    if (build) {
      const found = service.builds.find((b) => b.sid === build[2]);
      if (!found) return notFound(path);
      if (match('build')) return { status: 200, body: this.buildResource(service, found) };
      if (found.status === 'building' && found.pollsLeft-- <= 0) found.status = 'completed';
      return {
        status: 200,
        body: {
          sid: found.sid,
          account_sid: service.accountSid,
          service_sid: service.sid,
          status: found.status,
          url: `${this.url(service)}/Builds/${found.sid}/Status`,
        },
      };
    }
    return notFound(path);
  }

  private ofAccount(accountSid: string): FakeServerlessService[] {
    return this.list().filter((s) => s.accountSid === accountSid);
  }

  private newService(accountSid: string, uniqueName: string, friendlyName: string): FakeServerlessService {
    const service: FakeServerlessService = {
      sid: sidOf('ZS'),
      accountSid,
      uniqueName,
      friendlyName,
      includeCredentials: true,
      uiEditable: false,
      domainBase: `${uniqueName}-${1000 + Math.floor(Math.random() * 9000)}`,
      environments: [],
      functions: [],
      assets: [],
      builds: [],
      created: new Date(),
    };
    this.services.set(service.sid, service);
    return service;
  }

  private createService(accountSid: string, form: URLSearchParams): FakeAnswer {
    const uniqueName = form.get('UniqueName');
    const friendlyName = form.get('FriendlyName');
    if (!uniqueName || !friendlyName) return problem(400, 20001, 'Missing required parameter UniqueName or FriendlyName in the post body');
    if (!/^[A-Za-z0-9-]{1,50}$/.test(uniqueName)) return problem(400, 20001, 'UniqueName may hold only letters, digits and hyphens, up to 50');
    if (this.ofAccount(accountSid).some((s) => s.uniqueName === uniqueName)) return problem(409, 80602, 'Service UniqueName must be unique.');
    const service = this.newService(accountSid, uniqueName, friendlyName);
    service.includeCredentials = form.get('IncludeCredentials') !== 'false';
    service.uiEditable = form.get('UiEditable') === 'true';
    return { status: 201, body: this.serviceResource(service) };
  }

  private createEnvironment(service: FakeServerlessService, form: URLSearchParams): FakeAnswer {
    const uniqueName = form.get('UniqueName');
    if (!uniqueName) return problem(400, 20001, 'Missing required parameter UniqueName in the post body');
    const suffix = form.get('DomainSuffix');
    if (service.environments.some((e) => e.uniqueName === uniqueName)) return problem(409, 20001, 'Environment UniqueName must be unique.');
    const environment: FakeEnvironment = {
      sid: sidOf('ZE'),
      uniqueName,
      domainSuffix: suffix,
      domainName: `${service.domainBase}${suffix ? `-${suffix}` : ''}.twil.io`,
      buildSid: null,
      variables: [],
      deployments: [],
      created: new Date(),
    };
    service.environments.push(environment);
    return { status: 201, body: this.environmentResource(service, environment) };
  }

  private createVariable(service: FakeServerlessService, environment: FakeEnvironment, form: URLSearchParams): FakeAnswer {
    const key = form.get('Key');
    const value = form.get('Value');
    if (!key || value === null) return problem(400, 20001, 'Missing required parameter Key or Value in the post body');
    if (environment.variables.some((v) => v.key === key)) return problem(409, 20001, `Variable ${key} already exists`);
    const now = new Date();
    const variable: FakeVariable = { sid: sidOf('ZV'), key, value, created: now, updated: now };
    environment.variables.push(variable);
    return { status: 201, body: this.variableResource(service, environment, variable) };
  }

  private variable(method: string, service: FakeServerlessService, environment: FakeEnvironment, sid: string, form: URLSearchParams): FakeAnswer {
    const variable = environment.variables.find((v) => v.sid === sid);
    if (!variable) return notFound(`${this.environmentUrl(service, environment)}/Variables/${sid}`);
    if (method === 'DELETE') {
      environment.variables.splice(environment.variables.indexOf(variable), 1);
      return { status: 204, body: null };
    }
    if (method === 'POST') {
      variable.key = form.get('Key') ?? variable.key;
      variable.value = form.get('Value') ?? variable.value;
      variable.updated = new Date();
    }
    return { status: 200, body: this.variableResource(service, environment, variable) };
  }

  private createResource(service: FakeServerlessService, kind: 'Functions' | 'Assets', form: URLSearchParams): FakeAnswer {
    const friendlyName = form.get('FriendlyName');
    if (!friendlyName) return problem(400, 20001, 'Missing required parameter FriendlyName in the post body');
    const resource: FakeResource = { sid: sidOf('ZH'), friendlyName, versions: [], created: new Date() };
    this.resourcesOf(service, kind).push(resource);
    return { status: 201, body: this.resourceResource(service, kind, resource) };
  }

  /** A version upload: multipart with Path, Visibility and the Content file. */
  private async upload(
    service: FakeServerlessService,
    kind: 'Functions' | 'Assets',
    resource: FakeResource,
    contentType: string,
    body: Buffer,
  ): Promise<FakeAnswer> {
    let fields: FormData;
    try {
      fields = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    } catch {
      return problem(400, 20001, 'The upload must be multipart/form-data with Path, Visibility and Content');
    }
    const path = fields.get('Path');
    const visibility = fields.get('Visibility');
    const content = fields.get('Content');
    if (typeof path !== 'string' || !path.startsWith('/') || typeof visibility !== 'string' || content === null || typeof content === 'string')
      return problem(400, 20001, 'Missing required parameter Path, Visibility or Content');
    if (!['public', 'protected', 'private'].includes(visibility)) return problem(400, 20001, `Invalid Visibility ${visibility}`);
    const version: FakeVersion = {
      sid: sidOf('ZN'),
      resourceSid: resource.sid,
      path,
      visibility: visibility as Visibility,
      content: Buffer.from(await content.arrayBuffer()),
      created: new Date(),
    };
    resource.versions.push(version);
    return { status: 201, body: this.versionResource(service, kind, version) };
  }

  /** A build, refused as Twilio refuses one: no versions, an unknown runtime, dependencies it cannot read, a handler the runtime does not take. */
  private createBuild(service: FakeServerlessService, form: URLSearchParams): FakeAnswer {
    const functionVersions = form.getAll('FunctionVersions');
    const assetVersions = form.getAll('AssetVersions');
    if (functionVersions.length + assetVersions.length === 0)
      return problem(400, 20001, 'At least one Function Version or Asset Version is required for Build');
    const known = (kind: 'Functions' | 'Assets', sid: string) => this.resourcesOf(service, kind).some((r) => r.versions.some((v) => v.sid === sid));
    const unknown = [...functionVersions.filter((sid) => !known('Functions', sid)), ...assetVersions.filter((sid) => !known('Assets', sid))];
    if (unknown.length > 0) return problem(400, 20001, `Version(s) not found in this service: ${unknown.join(', ')}`);
    const runtime = form.get('Runtime') ?? 'node22';
    const accepted = this.accepted[runtime];
    if (!accepted) return problem(400, 20001, `unsupported runtime: ${runtime}`);
    const dependencies = parseDependencies(form.get('Dependencies'));
    if (dependencies === null) return problem(400, 20001, 'Dependencies must be a JSON list of {name, version}');
    const handler = dependencies.find((d) => d.name === HANDLER);
    if (handler && !accepted.includes(handler.version)) {
      return problem(
        400,
        20001,
        `Some dependencies could not be validated. No matching version found for ${HANDLER}@${handler.version}. You can find the valid versions at ${HANDLER_PAGE}`,
      );
    }
    const build: FakeBuild = {
      sid: sidOf('ZB'),
      status: 'building',
      functionVersions,
      assetVersions,
      dependencies,
      runtime,
      pollsLeft: this.buildPolls,
      created: new Date(),
    };
    service.builds.push(build);
    return { status: 201, body: this.buildResource(service, build) };
  }

  private deploy(service: FakeServerlessService, environment: FakeEnvironment, form: URLSearchParams): FakeAnswer {
    const buildSid = form.get('BuildSid');
    const build = service.builds.find((b) => b.sid === buildSid);
    if (!build) return problem(400, 20001, `Build ${buildSid ?? '(none)'} not found in this service`);
    if (build.status !== 'completed') return problem(400, 20001, `Build ${build.sid} is ${build.status}, not completed`);
    const deployment = { sid: sidOf('ZD'), buildSid: build.sid, created: new Date() };
    environment.deployments.push(deployment);
    environment.buildSid = build.sid;
    return { status: 201, body: this.deploymentResource(service, environment, deployment) };
  }

  private resourcesOf(service: FakeServerlessService, kind: 'Functions' | 'Assets'): FakeResource[] {
    return kind === 'Functions' ? service.functions : service.assets;
  }

  private page(key: string, path: string, items: unknown[]): Record<string, unknown> {
    return { [key]: items, meta: listMeta(this.baseUrl(), key, path) };
  }

  private url(service: FakeServerlessService): string {
    return `${this.baseUrl()}/v1/Services/${service.sid}`;
  }

  private environmentUrl(service: FakeServerlessService, environment: FakeEnvironment): string {
    return `${this.url(service)}/Environments/${environment.sid}`;
  }

  private serviceResource(s: FakeServerlessService): Record<string, unknown> {
    const url = this.url(s);
    return {
      sid: s.sid,
      account_sid: s.accountSid,
      friendly_name: s.friendlyName,
      unique_name: s.uniqueName,
      include_credentials: s.includeCredentials,
      ui_editable: s.uiEditable,
      domain_base: s.domainBase,
      date_created: iso(s.created),
      date_updated: iso(s.created),
      url,
      links: { environments: `${url}/Environments`, functions: `${url}/Functions`, assets: `${url}/Assets`, builds: `${url}/Builds` },
    };
  }

  private environmentResource(s: FakeServerlessService, e: FakeEnvironment): Record<string, unknown> {
    const url = this.environmentUrl(s, e);
    return {
      sid: e.sid,
      account_sid: s.accountSid,
      service_sid: s.sid,
      build_sid: e.buildSid,
      unique_name: e.uniqueName,
      domain_suffix: e.domainSuffix,
      domain_name: e.domainName,
      date_created: iso(e.created),
      date_updated: iso(e.created),
      url,
      links: { variables: `${url}/Variables`, deployments: `${url}/Deployments`, logs: `${url}/Logs` },
    };
  }

  private variableResource(s: FakeServerlessService, e: FakeEnvironment, v: FakeVariable): Record<string, unknown> {
    return {
      sid: v.sid,
      account_sid: s.accountSid,
      service_sid: s.sid,
      environment_sid: e.sid,
      key: v.key,
      value: v.value,
      date_created: iso(v.created),
      date_updated: iso(v.updated),
      url: `${this.environmentUrl(s, e)}/Variables/${v.sid}`,
    };
  }

  private deploymentResource(s: FakeServerlessService, e: FakeEnvironment, d: FakeEnvironment['deployments'][number]): Record<string, unknown> {
    return {
      sid: d.sid,
      account_sid: s.accountSid,
      service_sid: s.sid,
      environment_sid: e.sid,
      build_sid: d.buildSid,
      date_created: iso(d.created),
      date_updated: iso(d.created),
      url: `${this.environmentUrl(s, e)}/Deployments/${d.sid}`,
    };
  }

  private resourceResource(s: FakeServerlessService, kind: 'Functions' | 'Assets', r: FakeResource): Record<string, unknown> {
    const url = `${this.url(s)}/${kind}/${r.sid}`;
    return {
      sid: r.sid,
      account_sid: s.accountSid,
      service_sid: s.sid,
      friendly_name: r.friendlyName,
      date_created: iso(r.created),
      date_updated: iso(r.created),
      url,
      links: { [kind === 'Functions' ? 'function_versions' : 'asset_versions']: `${url}/Versions` },
    };
  }

  private versionResource(s: FakeServerlessService, kind: 'Functions' | 'Assets', v: FakeVersion): Record<string, unknown> {
    const url = `${this.url(s)}/${kind}/${v.resourceSid}/Versions/${v.sid}`;
    return {
      sid: v.sid,
      account_sid: s.accountSid,
      service_sid: s.sid,
      [kind === 'Functions' ? 'function_sid' : 'asset_sid']: v.resourceSid,
      path: v.path,
      visibility: v.visibility,
      date_created: iso(v.created),
      url,
      ...(kind === 'Functions' ? { links: { function_version_content: `${url}/Content` } } : {}),
    };
  }

  private buildResource(s: FakeServerlessService, b: FakeBuild): Record<string, unknown> {
    const url = `${this.url(s)}/Builds/${b.sid}`;
    const versions = (kind: 'Functions' | 'Assets', sids: string[]) =>
      sids.map((sid) => {
        const version = this.resourcesOf(s, kind)
          .flatMap((r) => r.versions)
          .find((v) => v.sid === sid)!;
        const { links: _links, url: _url, ...summary } = this.versionResource(s, kind, version);
        return summary;
      });
    return {
      sid: b.sid,
      account_sid: s.accountSid,
      service_sid: s.sid,
      status: b.status,
      asset_versions: versions('Assets', b.assetVersions),
      function_versions: versions('Functions', b.functionVersions),
      dependencies: b.dependencies,
      runtime: b.runtime,
      date_created: iso(b.created),
      date_updated: iso(b.created),
      url,
      links: { build_status: `${url}/Status` },
    };
  }
}

function methodNotAllowed(): FakeAnswer {
  return problem(405, 20004, 'Method not allowed');
}

/**
 * The build's `Dependencies`: a JSON list of `{name, version}`. serverless-api
 * wraps the JSON in one more pair of double quotes (`"[…]"`), which Twilio
 * takes: so does this.
 */
function parseDependencies(text: string | null): { name: string; version: string }[] | null {
  if (text === null || text === '') return [];
  const unwrapped = text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
  try {
    const list = JSON.parse(unwrapped) as unknown;
    if (!Array.isArray(list)) return null;
    const dependencies = list.map((d: unknown) => {
      const { name, version } = (d ?? {}) as { name?: unknown; version?: unknown };
      return typeof name === 'string' && typeof version === 'string' ? { name, version } : null;
    });
    return dependencies.includes(null) ? null : (dependencies as { name: string; version: string }[]);
  } catch {
    return null;
  }
}
