/**
 * POST /debugger: Twilio's Debugger webhook (an error or warning alert),
 * archived as a `debugger` record. Protected: Twilio's gateway refuses a
 * request without a valid X-Twilio-Signature before this code runs (the
 * webhook is a form POST, signed as a status callback is).
 */
import { archiveDebuggerAlert } from '../ingest/archiveDebuggerAlert';
import { ingestHandler } from '../ingest/functionHandler';

export const handler = ingestHandler(archiveDebuggerAlert);
