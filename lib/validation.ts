/**
 * The one door to zod: every schema imports it from here, `import * as z from
 * '…/validation'` (the linter enforces both). Functions validate with
 * zod/mini, not classic zod: the same checks and the same messages, but
 * functions instead of methods, so esbuild keeps only what the schemas use
 * (docs/ARCHITECTURE.md, "Validation: zod/mini").
 *
 * zod/mini loads no locale, and without one every message would read
 * "Invalid input". English is loaded here, once, by name: `z.locales.en()`
 * would keep all of zod's locales in every bundle.
 */
import { en } from 'zod/locales';
import * as zm from 'zod/mini';

zm.config(en());

export * from 'zod/mini';
