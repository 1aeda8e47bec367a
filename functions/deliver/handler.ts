/**
 * Lambda entry point of a lane's deliver function (SQS event source with ReportBatchItemFailures;
 * one function per destination, told which by DESTINATION): the handler functions/deliver/compose.ts
 * builds from the environment the stack sets, with the SDK's default clients and Secrets Manager.
 * The local runtime builds the same handler there.
 */
import { awsClients, builtOnFirstCall } from '../shared/platform.js';
import { awsSecrets } from '../shared/signing/secrets-manager.js';
import { composeDeliver } from './compose.js';

export const handler = builtOnFirstCall(() => composeDeliver(process.env, { ...awsClients(), secrets: awsSecrets() }));
