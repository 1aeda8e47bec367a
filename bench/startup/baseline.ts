/** Start-up baseline: a bundled ES module that loads nothing (Node's own start and exit). */
import { loadStart } from './mark.js';
import { emit } from './report.js';

emit({ bootMs: loadStart, loadMs: 0, compileMs: 0, firstCallMs: 0, valid: true });
