/** The unit tier's default deadline per test (jest.config.js): long enough for a loaded 2-core machine. */
import { jest } from '@jest/globals';

jest.setTimeout(60_000);
