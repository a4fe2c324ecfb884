/// <reference types="@twilio-labs/serverless-runtime-types" />
import type { ServerlessFunctionSignature } from '@twilio-labs/serverless-runtime-types/types';
import type { IngestAnswer } from './ingestContext';

/**
 * A Twilio Function over one ingest path: run it, then answer. The write must
 * finish before callback(): the runtime stops everything still pending when
 * it is called. A throw is a bug, not bad input: answered 500 (by the
 * runtime), so that Twilio retries and nothing is answered 2xx unarchived.
 */
export function ingestHandler(
  archive: (event: Record<string, unknown>, context: Record<string, unknown>) => Promise<IngestAnswer>,
): ServerlessFunctionSignature {
  return async (context, event, callback) => {
    let answer: IngestAnswer;
    try {
      answer = await archive(event, context);
    } catch (error) {
      callback(error as Error);
      return;
    }
    const response = new Twilio.Response();
    response.setStatusCode(answer.statusCode);
    response.appendHeader('Content-Type', answer.body ? 'application/json' : 'text/plain');
    response.setBody(answer.body);
    callback(null, response);
  };
}
