/**
 * The desktop app's settings: `settings.json` in Electron's user-data folder. What the headless
 * CLI takes as flags (docs/contract.md §1) the app keeps here: node count, MySQL mode and URLs, the Raft
 * timers, slow motion, and where the cluster lives.
 *
 * The file is user-editable, so it is parsed with zod like any other input. A file that cannot be
 * read or does not validate is left untouched (the user may want to fix it by hand) and the
 * defaults are used, with the problem shown in the start-up view; saving replaces it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AppSettings } from '../cluster/api/bridge.js';
import { fieldErrors } from '../cluster/api/schemas.js';
import { DEFAULT_TIMERS, MAX_SLOW, MIN_SLOW } from '../cluster/supervisor/node-config.js';

export const SETTINGS_FILE = 'settings.json';

const timersSchema = z
  .strictObject({
    // The node's own limits (cluster/node/config.ts).
    tickMs: z.number().int().min(1).max(10_000),
    electionTicks: z.number().int().min(2).max(1_000),
    heartbeatTicks: z.number().int().min(1).max(500),
  })
  .refine((t) => t.heartbeatTicks < t.electionTicks, {
    message: 'heartbeatTicks must be less than electionTicks',
    path: ['heartbeatTicks'],
  });

const mysqlUrl = z
  .string()
  .trim()
  .max(2_000)
  .regex(
    /^mysql:\/\/\S+$/,
    'must be a URL like mysql://user:password@127.0.0.1:3306/raftboard_{node}',
  );

const mysqlSchema = z
  .strictObject({
    mode: z.enum(['managed', 'docker', 'external']),
    urls: z.array(mysqlUrl).max(9),
  })
  .superRefine((m, ctx) => {
    if (m.mode === 'external' && m.urls.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['urls'],
        message: 'external MySQL needs a URL per node, or one with {node} in the database name',
      });
    }
  });

export const DEFAULT_SETTINGS: AppSettings = {
  nodes: 3,
  mysql: { mode: 'managed', urls: [] },
  timers: { ...DEFAULT_TIMERS },
  slow: 1,
  dataDir: null,
};

/** Missing fields take their defaults, so an older or hand-trimmed file still loads. */
export const settingsSchema = z.strictObject({
  nodes: z.number().int().min(1).max(9).default(DEFAULT_SETTINGS.nodes),
  mysql: mysqlSchema.default({ mode: 'managed', urls: [] }),
  timers: timersSchema.default({ ...DEFAULT_TIMERS }),
  slow: z.number().min(MIN_SLOW).max(MAX_SLOW).default(DEFAULT_SETTINGS.slow),
  dataDir: z
    .string()
    .trim()
    .min(1)
    .refine((p) => path.isAbsolute(p), 'must be an absolute path')
    .nullable()
    .default(null),
});

export type ParsedSettings =
  | { readonly ok: true; readonly settings: AppSettings }
  | { readonly ok: false; readonly message: string; readonly details: Record<string, string> };

export function parseSettings(input: unknown): ParsedSettings {
  const r = settingsSchema.safeParse(input);
  if (r.success) return { ok: true, settings: r.data };
  const details = fieldErrors(r.error);
  const message = Object.entries(details)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');
  return { ok: false, message, details };
}

export interface LoadedSettings {
  readonly settings: AppSettings;
  /** Why the file was not used (its settings are the defaults then). */
  readonly problem?: string;
}

export function loadSettings(file: string): LoadedSettings {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { settings: DEFAULT_SETTINGS };
    return { settings: DEFAULT_SETTINGS, problem: `${file}: ${(e as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { settings: DEFAULT_SETTINGS, problem: `${file} is not JSON: ${(e as Error).message}` };
  }
  const parsed = parseSettings(json);
  if (!parsed.ok) return { settings: DEFAULT_SETTINGS, problem: `${file}: ${parsed.message}` };
  return { settings: parsed.settings };
}

/** Atomically (a crash leaves the old file or the new one), owner-only: URLs may hold passwords. */
export function saveSettings(file: string, settings: AppSettings): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
