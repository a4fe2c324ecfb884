/**
 * POST /event-stream: a Twilio Event Streams webhook sink, archived.
 * Public, and checking the signature itself: Event Streams signs a JSON body
 * through `bodySHA256`, and whether the Functions gateway checks that scheme
 * for a protected Function is not documented; a 400 from it would make Twilio
 * drop the events for good (docs/event-streams.md).
 */
/// <reference types="@twilio-labs/serverless-runtime-types" />
import type { ServerlessFunctionSignature } from '@twilio-labs/serverless-runtime-types/types';
import { archiveEventStream } from '../ingest/archiveEventStream';

export const handler: ServerlessFunctionSignature = async (context, event, callback) => {
  let answer;
  try {
    // The writes must finish before callback(): the runtime stops everything still pending when it is called.
    answer = await archiveEventStream(event, context);
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
