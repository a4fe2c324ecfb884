/**
 * POST /event-stream: a Twilio Event Streams webhook sink, archived.
 * Public, and checking the signature itself: Event Streams signs a JSON body
 * through `bodySHA256`, and whether the Functions gateway checks that scheme
 * for a protected Function is not documented; a 400 from it would make Twilio
 * drop the events for good (docs/event-streams.md).
 */
import { archiveEventStream } from '../ingest/archiveEventStream';
import { ingestHandler } from '../ingest/functionHandler';

export const handler = ingestHandler(archiveEventStream);
