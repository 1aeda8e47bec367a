/**
 * Lambda entry point of the ingest API (API Gateway HTTP API, payload format 2.0): the handler
 * functions/ingest/compose.ts builds from the environment the stack sets, with the SDK's default
 * clients and Secrets Manager. API Gateway's stage throttling caps the total rate in front of this
 * function; the per-upstream limit is enforced inside it.
 */
import { awsClients, builtOnFirstCall } from '../shared/platform.js';
import { awsSecrets } from '../shared/signing/secrets-manager.js';
import { composeIngest } from './compose.js';

export const handler = builtOnFirstCall(() => composeIngest(process.env, { ...awsClients(), secrets: awsSecrets() }));
