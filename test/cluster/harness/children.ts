/** Every node process any cluster of this test worker started: killed on exit, whatever happens. */
import type { ChildProcess } from 'node:child_process';

const allChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Remembers `child` until it exits; SIGKILLs it if this process exits first. */
export function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of allChildren) {
        try {
          c.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }
  allChildren.add(child);
  child.once('exit', () => allChildren.delete(child));
}
