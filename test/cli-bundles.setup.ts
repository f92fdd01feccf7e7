// vitest's globalSetup: makes the CLI's bundles (scripts/cli.mjs) before the test files start, so that they do not all
// find them stale at once after a change and bundle the same sources side by side.
import { bundleOf } from '../scripts/cli.mjs';

export default async function setup(): Promise<void> {
  await bundleOf('trainer');
}
