// Types of scripts/cli.mjs, for the tests that run the CLI from its bundles.
export declare const ROOT: string;
/** Where the bundles go (node_modules/.cache/hogwild/cli, or $HOGWILD_CLI_CACHE). */
export declare const CLI_DIR: string;
export declare const TOOLS: readonly ['trainer', 'data'];
/** The bundle of `tool`, made or remade first (onBuild called then) if any of its inputs changed. */
export declare function bundleOf(tool: 'trainer' | 'data', onBuild?: () => void): Promise<string>;
