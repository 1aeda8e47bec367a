/**
 * Imported first by every start-up entry: ES modules evaluate in import order, so this records
 * the moment module loading of the entry's dependencies begins (ms since the process started).
 */
import { performance } from 'node:perf_hooks';

export const loadStart = performance.now();
