/**
 * Imported first by main.ts, so that it runs before any other module of the page: zod compiles its
 * validators with `new Function` unless told not to, and probes for it on first use. The page's
 * Content-Security-Policy (index.html) forbids eval; scenario validation is not hot, so zod runs jitless.
 */
import { config } from 'zod';

config({ jitless: true });
