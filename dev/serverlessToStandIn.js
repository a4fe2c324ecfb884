'use strict';
/**
 * Preloaded (`NODE_OPTIONS=--require …/dev/serverlessToStandIn.js`) into a
 * deploy (`npm run deploy`, `twilio serverless:deploy`) in tests and by hand,
 * with TWILIO_SERVERLESS_STAND_IN=http://127.0.0.1:<port> naming the fake
 * Twilio API. The toolkit (@twilio-labs/serverless-api) has no base-URL
 * option, only TWILIO_REGION and TWILIO_EDGE, so this sends its requests for
 * serverless.twilio.com and serverless-upload.twilio.com (any edge or region)
 * to the stand-in over plain HTTP, keeping the Host they were meant for: the
 * stand-in takes uploads on the upload host only, as Twilio does. Every other
 * request is left alone. Nothing of the toolkit is changed; unset, this does
 * nothing. Plain JavaScript: it runs before any compiler could.
 */
const http = require('node:http');
const https = require('node:https');

const standIn = process.env.TWILIO_SERVERLESS_STAND_IN;
const SERVERLESS_HOST = /^serverless(-upload)?\.([a-z0-9-]+\.)*twilio\.com$/i;

if (standIn) {
  const target = new URL(standIn);
  if (target.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new Error(`TWILIO_SERVERLESS_STAND_IN must be http:// on loopback, not ${standIn}`);
  }

  /** request(url[, options][, callback]) or request(options[, callback]), as https.request takes them. */
  const split = (args) => {
    const [first, second, third] = args;
    if (typeof first === 'string' || first instanceof URL) {
      return typeof second === 'function'
        ? { url: new URL(first), options: {}, callback: second }
        : { url: new URL(first), options: second ?? {}, callback: third };
    }
    const options = first ?? {};
    const host = options.hostname ?? options.host ?? 'localhost';
    return { url: new URL(`https://${host}${options.port ? `:${options.port}` : ''}${options.path ?? '/'}`), options, callback: second };
  };

  const redirect = (original) =>
    function toStandIn(...args) {
      const { url, options, callback } = split(args);
      if (!SERVERLESS_HOST.test(url.hostname)) return original.apply(this, args);
      // The TLS and agent settings belong to the https request that is not made.
      const { agent: _agent, host: _host, hostname: _hostname, port: _port, protocol: _protocol, path: _path, servername: _servername, ...rest } = options;
      const headers = { ...(options.headers ?? {}), host: url.host };
      // Basic credentials may ride in the URL (got puts them there); http.request reads them from `auth`.
      const auth = rest.auth ?? (url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined);
      const to = new URL(`${url.pathname}${url.search}`, target);
      return http.request(to, { ...rest, ...(auth ? { auth } : {}), headers }, callback);
    };

  const request = https.request;
  https.request = redirect(request);
  https.get = function get(...args) {
    const req = https.request(...args);
    req.end();
    return req;
  };
}
