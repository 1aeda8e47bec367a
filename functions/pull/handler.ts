/**
 * Lambda entry point of the provincial breach pull (run by an EventBridge Scheduler schedule): the
 * handler functions/pull/compose.ts builds from the environment the stack sets, with the SDK's
 * default clients and Secrets Manager. The local runtime builds the same handler there.
 */
import { awsClients, builtOnFirstCall } from '../shared/platform.js';
import { awsSecrets } from '../shared/signing/secrets-manager.js';
import { composePull } from './compose.js';

export const handler = builtOnFirstCall(() => composePull(process.env, { ...awsClients(), secrets: awsSecrets() }));
