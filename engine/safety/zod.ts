// The allow-lists as zod refinements, for request schemas (the API contract): a refusal becomes a zod
// issue at the field's path whose message says the value, the rule and the fix.
import type { z } from 'zod';
import type { Refusal } from './rules';

/** A superRefine callback from a check: `schema.superRefine(zodCheck((v) => checkX(v, 'x')))`. */
export function zodCheck<T>(check: (value: T) => Refusal[]): (value: T, ctx: z.RefinementCtx) => void {
  return (value, ctx) => {
    for (const r of check(value)) ctx.addIssue({ code: 'custom', message: r.message });
  };
}
