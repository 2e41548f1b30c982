/**
 * Capturing a node's stdout/stderr as lines (the last 20,000 per start), echoed to the test's
 * stderr when RAFTBOARD_CLUSTER_ECHO=1.
 */
import type { ChildProcess } from 'node:child_process';

const ECHO = process.env.RAFTBOARD_CLUSTER_ECHO === '1';
const MAX_LINES = 20_000;

/** Appends to `lines` (dropping the oldest beyond the cap) and echoes if asked. */
export function lineSink(nodeId: number, lines: string[]): (line: string) => void {
  return (line) => {
    lines.push(line);
    if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
    if (ECHO) process.stderr.write(`[n${nodeId}] ${line}\n`);
  };
}

/** Feeds the child's stdout (tagged `[stdout]`) and stderr to `push`, line by line. */
export function captureOutput(child: ChildProcess, push: (line: string) => void): void {
  const capture = (stream: NodeJS.ReadableStream | null, prefix: string): void => {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const p of parts) push(`${prefix}${p}`);
    });
    stream.on('end', () => {
      if (partial !== '') push(`${prefix}${partial}`);
      partial = '';
    });
  };
  capture(child.stdout, '[stdout] ');
  capture(child.stderr, '');
}

/** Resolves when both output streams have closed (so everything written has been read). */
export function outputClosed(child: ChildProcess): Promise<unknown> {
  return Promise.all(
    [child.stdout, child.stderr].map(
      (s) =>
        new Promise<void>((resolve) => {
          if (!s) return resolve();
          s.once('close', () => resolve());
        }),
    ),
  );
}
