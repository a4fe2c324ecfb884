import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

/** The parts of Twilio's OpenAPI specs the tests use, vendored with their MIT licence (see its README). */
export const TWILIO_OAI_DIR = join(__dirname, '..', 'fixtures', 'twilio-oai');

/**
 * A validator for one response schema of Twilio's API v2010 spec. OpenAPI 3.0
 * schemas are JSON Schema but for `nullable` (which Ajv understands) and
 * Twilio's vendor extensions and formats, declared here.
 */
export function twilioSchemaValidator(specFile: string, schema: object) {
  const path = join(TWILIO_OAI_DIR, specFile);
  if (!existsSync(path)) throw new Error(`Twilio's OpenAPI spec is missing: expected ${path}`);
  const spec = JSON.parse(readFileSync(path, 'utf8')) as { components: { schemas: Record<string, unknown> } };
  const ajv = new Ajv({ allErrors: true, strict: false, discriminator: true });
  // Twilio answers RFC 2822 dates and relative *_uri values (the spec says `uri`, the API sends paths).
  ajv.addFormat(
    'date-time-rfc-2822',
    /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/,
  );
  // ISO 8601 (the newer APIs' dates, e.g. the Events API's), checked as ajv-formats checks it.
  addFormats(ajv, ['date-time']);
  ajv.addFormat('uri', /^(https?:\/\/|\/)\S*$/);
  ajv.addFormat('uri-map', true);
  ajv.addFormat('currency', true);
  ajv.addFormat('phone-number', true);
  ajv.addFormat('http-method', /^(GET|POST|PUT|DELETE|HEAD|PATCH|OPTIONS)$/);
  ajv.addSchema({ components: rewriteRefs(spec.components) }, 'spec');
  const validate = ajv.compile(rewriteRefs(schema) as object);
  return (value: unknown): string[] => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`));
}

/**
 * `#/components/…` refs inside the spec point into the registered `spec`
 * document. A `nullable` schema with no `type` (the Events API's free-form
 * `sink_configuration`) already allows null, and Ajv refuses the pair: drop it.
 */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node && typeof node === 'object') {
    const untypedNullable = 'nullable' in node && !('type' in node) && !('$ref' in node);
    return Object.fromEntries(
      Object.entries(node)
        .filter(([k]) => !(untypedNullable && k === 'nullable'))
        .map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `spec${v}` : rewriteRefs(v)]),
    );
  }
  return node;
}

/** The 201 answer to a message create, and a Messaging Service as fetched, from Twilio's specs. */
export function createAndServiceSchemas(): { created: object; messagingService: object } {
  type Spec = { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: object }> }> }>> };
  const api = JSON.parse(readFileSync(join(TWILIO_OAI_DIR, 'twilio_api_v2010.json'), 'utf8')) as Spec;
  const messaging = JSON.parse(readFileSync(join(TWILIO_OAI_DIR, 'twilio_messaging_v1.json'), 'utf8')) as Spec;
  return {
    created: api.paths['/2010-04-01/Accounts/{AccountSid}/Messages.json'].post.responses['201'].content['application/json'].schema,
    messagingService: messaging.paths['/v1/Services/{Sid}'].get.responses['200'].content['application/json'].schema,
  };
}

export function messageSchemas(): { message: object; list: object } {
  const spec = JSON.parse(readFileSync(join(TWILIO_OAI_DIR, 'twilio_api_v2010.json'), 'utf8')) as {
    paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: object }> }> }>>;
  };
  return {
    message: spec.paths['/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json'].get.responses['200'].content['application/json'].schema,
    list: spec.paths['/2010-04-01/Accounts/{AccountSid}/Messages.json'].get.responses['200'].content['application/json'].schema,
  };
}

type SpecPaths = { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: object }> }> }>> };

/** The Events API's answers (sinks, subscriptions, subscribed events) from Twilio's spec. */
export function eventsSchemas(): { sink: object; sinkList: object; subscription: object; subscriptionList: object; subscribedList: object } {
  const spec = JSON.parse(readFileSync(join(TWILIO_OAI_DIR, 'twilio_events_v1.json'), 'utf8')) as SpecPaths;
  const answer = (path: string, method: string, status: string) => spec.paths[path][method].responses[status].content['application/json'].schema;
  return {
    sink: answer('/v1/Sinks', 'post', '201'),
    sinkList: answer('/v1/Sinks', 'get', '200'),
    subscription: answer('/v1/Subscriptions', 'post', '201'),
    subscriptionList: answer('/v1/Subscriptions', 'get', '200'),
    subscribedList: answer('/v1/Subscriptions/{SubscriptionSid}/SubscribedEvents', 'get', '200'),
  };
}

/** One answer of the Serverless stand-in, as it keeps them. */
interface Exchange {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

/**
 * Checks a Serverless answer against Twilio's spec: the schema of that path,
 * method and status. The upload (a POST of a version, to the upload host) is
 * not in the spec: it answers the version, as its fetch does. An error
 * answers Twilio's `{code, message, more_info, status}`. Returns what does
 * not match, each prefixed with the request.
 */
export function serverlessAnswerChecker(): (exchange: Exchange) => string[] {
  const file = 'twilio_serverless_v1.json';
  const spec = JSON.parse(readFileSync(join(TWILIO_OAI_DIR, file), 'utf8')) as SpecPaths;
  const templates = Object.keys(spec.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[A-Z]{2}[0-9a-fA-F]{32}')}$`),
  }));
  const validators = new Map<string, (value: unknown) => string[]>();
  const validatorFor = (template: string, method: string, status: string) => {
    const key = `${method} ${template} ${status}`;
    let validate = validators.get(key);
    if (!validate) {
      const schema = spec.paths[template]?.[method]?.responses[status]?.content['application/json']?.schema;
      if (!schema) return undefined;
      validate = twilioSchemaValidator(file, schema);
      validators.set(key, validate);
    }
    return validate;
  };
  return ({ method, path, status, body }) => {
    const where = `${method} ${path} → ${status}`;
    const found = templates.find((t) => t.pattern.test(path));
    if (!found) return [`${where}: no such path in Twilio's spec`];
    if (status >= 400) {
      const error = body as Record<string, unknown>;
      const ok = Number.isInteger(error.code) && typeof error.message === 'string' && typeof error.more_info === 'string' && error.status === status;
      return ok ? [] : [`${where}: not Twilio's error shape: ${JSON.stringify(body)}`];
    }
    if (status === 204) return body === null ? [] : [`${where}: a 204 with a body`];
    const isUpload = method === 'POST' && /\/Versions$/.test(found.template);
    const validate = isUpload ? validatorFor(`${found.template}/{Sid}`, 'get', '200') : validatorFor(found.template, method.toLowerCase(), String(status));
    if (!validate) return [`${where}: Twilio's spec has no such answer`];
    return validate(body).map((problem) => `${where}: ${problem}`);
  };
}
