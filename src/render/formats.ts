/** The `-o` formats; a module of its own so the CLI can name them without loading a renderer. */
export const OUTPUT_FORMATS = ["table", "wide", "json", "yaml", "markdown"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
