/** The node driver's defaults, in a file of their own so the CLI can name them cheaply. */
export const NODE_DEFAULT_STEPS = 5000;
export const NODE_DEFAULT_NODES = 3;
