/**
 * Lambda entry point of the expiry sweep (run by an EventBridge Scheduler schedule): the handler
 * functions/sweep/compose.ts builds from the environment the stack sets, with the SDK's default
 * clients. The local runtime builds the same handler there.
 */
import { awsClients, builtOnFirstCall } from '../shared/platform.js';
import { composeSweep } from './compose.js';

export const handler = builtOnFirstCall(() => composeSweep(process.env, awsClients()));
