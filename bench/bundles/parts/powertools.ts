/** Part of intake's bundle alone (bench/bundles.bench.ts): Powertools Logger and Metrics with their middy middlewares, and middy. */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';

export const handler = (): unknown[] => [Logger, injectLambdaContext, Metrics, logMetrics, middy];
