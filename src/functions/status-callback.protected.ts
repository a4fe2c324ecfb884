/**
 * POST /status-callback: Twilio's message status callback, archived.
 * Protected: deployed, Twilio's gateway refuses a request without a valid
 * X-Twilio-Signature before this code runs (locally, the stack's gateway does).
 */
/// <reference types="@twilio-labs/serverless-runtime-types" />
import type { ServerlessFunctionSignature } from '@twilio-labs/serverless-runtime-types/types';
import { archiveStatusCallback } from '../ingest/archiveStatusCallback';

export const handler: ServerlessFunctionSignature = async (context, event, callback) => {
  let answer;
  try {
    // The write must finish before callback(): the runtime stops everything still pending when it is called.
    answer = await archiveStatusCallback(event, context);
  } catch (error) {
    // A bug, not bad input: 500, so Twilio retries and nothing is answered 2xx unarchived.
    callback(error as Error);
    return;
  }
  const response = new Twilio.Response();
  response.setStatusCode(answer.statusCode);
  response.appendHeader('Content-Type', answer.body ? 'application/json' : 'text/plain');
  response.setBody(answer.body);
  callback(null, response);
};
