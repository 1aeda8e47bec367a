/**
 * Lambda entry point of the intake function (SQS event source with ReportBatchItemFailures):
 * the handler functions/intake/compose.ts builds from the environment the stack sets, with the
 * SDK's default clients. The local runtime builds the same handler there.
 */
import { awsClients, builtOnFirstCall } from '../shared/platform.js';
import { composeIntake } from './compose.js';

export const handler = builtOnFirstCall(() => composeIntake(process.env, awsClients()));
