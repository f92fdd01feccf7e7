// The fast project's setupFiles, run in each test file's process before its imports: train(), evaluate() and bench()
// called in the tests start their threads from the trainer's bundled worker (scripts/cli.mjs, made from the same
// sources by the globalSetup, and what `pnpm trainer` runs) rather than worker.ts through tsx, which compiled the
// worker's sources anew in each thread: about 0.6 s of CPU a thread against 0.1 s, and each train() starts its own.
// A process the tests spawn inherits it; the README's example (plain-arrays.test.ts) runs without it, as a user does.
import { dirname, join } from 'node:path';
import { bundleOf } from '../scripts/cli.mjs';

process.env.HOGWILD_WORKER ||= join(dirname(await bundleOf('trainer')), 'trainer-worker.mjs');
