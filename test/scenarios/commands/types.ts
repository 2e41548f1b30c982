import type { Env } from '../env.js';
import type { Args } from '../args.js';

/** A command: reads its arguments, acts on the env, writes its output there. */
export type Handler = (env: Env, args: Args) => void;
