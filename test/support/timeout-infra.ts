/**
 * The infra tier's default deadline per test (jest.config.js): a test that synthesizes a stage of
 * its own (cdk-nag aspects included) takes over a minute on a loaded 2-core machine.
 */
import { jest } from '@jest/globals';

jest.setTimeout(180_000);
