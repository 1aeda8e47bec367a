/**
 * Lambda entry point of the evidence sealer (run every minute by an EventBridge Scheduler
 * schedule, one run at a time): the handler functions/seal/compose.ts builds from the environment
 * the stack sets. The local runtime builds the same handler there, with a directory and a key file.
 */
import { awsClients, builtOnFirstCall } from '../shared/platform.js';
import { composeSeal } from './compose.js';

export const handler = builtOnFirstCall(() => composeSeal(process.env, awsClients()));
