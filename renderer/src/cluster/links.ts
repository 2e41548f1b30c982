/**
 * Between the link matrix's text fields and the API's directed link faults: drop as a percent
 * in the form, a probability on the wire; delay in whole milliseconds. Pure, for the tests.
 */
import type { LinkFaultBody } from '../../../cluster/api/control.js';

export interface CellText {
  readonly drop: string;
  readonly delay: string;
}

export type Cells = Readonly<Record<string, CellText>>;

export const MAX_DELAY_MS = 60_000;

export function cellKey(from: number, to: number): string {
  return `${from}->${to}`;
}

export function cellsFromLinks(links: readonly LinkFaultBody[]): Record<string, CellText> {
  const out: Record<string, CellText> = {};
  for (const l of links) {
    out[cellKey(l.from, l.to)] = {
      drop: l.drop === undefined || l.drop === 0 ? '' : String(Math.round(l.drop * 1000) / 10),
      delay: l.delayMs === undefined || l.delayMs === 0 ? '' : String(l.delayMs),
    };
  }
  return out;
}

/** What is wrong with one field, or null. Empty means 0. */
export function dropProblem(text: string): string | null {
  if (text.trim() === '') return null;
  const v = Number(text);
  return Number.isFinite(v) && v >= 0 && v <= 100 ? null : 'drop must be a percent from 0 to 100';
}

export function delayProblem(text: string): string | null {
  if (text.trim() === '') return null;
  const v = Number(text);
  return Number.isInteger(v) && v >= 0 && v <= MAX_DELAY_MS
    ? null
    : `delay must be whole milliseconds from 0 to ${MAX_DELAY_MS}`;
}

/** The links to send: every cell with a fault, in node order; throws on a bad field. */
export function linksFromCells(ids: readonly number[], cells: Cells): LinkFaultBody[] {
  const out: LinkFaultBody[] = [];
  for (const from of ids) {
    for (const to of ids) {
      if (from === to) continue;
      const c = cells[cellKey(from, to)];
      if (c === undefined) continue;
      const problem = dropProblem(c.drop) ?? delayProblem(c.delay);
      if (problem !== null) throw new Error(`node ${from} → node ${to}: ${problem}`);
      const drop = c.drop.trim() === '' ? 0 : Number(c.drop) / 100;
      const delayMs = c.delay.trim() === '' ? 0 : Number(c.delay);
      if (drop === 0 && delayMs === 0) continue;
      out.push({
        from,
        to,
        ...(drop > 0 ? { drop } : {}),
        ...(delayMs > 0 ? { delayMs } : {}),
      });
    }
  }
  return out;
}
