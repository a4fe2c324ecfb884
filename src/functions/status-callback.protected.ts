/**
 * POST /status-callback: Twilio's message status callback, archived.
 * Protected: deployed, Twilio's gateway refuses a request without a valid
 * X-Twilio-Signature before this code runs (locally, the stack's gateway does).
 */
import { archiveStatusCallback } from '../ingest/archiveStatusCallback';
import { ingestHandler } from '../ingest/functionHandler';

export const handler = ingestHandler(archiveStatusCallback);
