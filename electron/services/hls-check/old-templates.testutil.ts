// The templates before issue 11, kept to prove the static check can fail: two projects generated at e6351e2
// (io_stream and io_parallel) that share one copy of their nnet headers (fixtures/old-templates/nnet), put
// back together here as the generator wrote them.
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'old-templates');

/** Assembles the old projects under `into` (a scratch folder); returns their folders. */
export function oldTemplateProjects(into: string): string[] {
  return ['old_stream', 'old_par'].map((top) => {
    const dir = join(into, top);
    cpSync(join(FIXTURE, top), dir, { recursive: true });
    cpSync(join(FIXTURE, 'nnet'), join(dir, 'firmware', 'nnet'), { recursive: true });
    return dir;
  });
}
