/**
 * The web UI at `/`: the built renderer (build/renderer) when it exists, else a placeholder
 * page that shows the live cluster from `/api/cluster`, so the headless CLI is usable before
 * the UI lands.
 */
import fs from 'node:fs';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
}

/** A file under `root` for a URL path; undefined when absent or outside `root`. */
export function staticFile(root: string | undefined, urlPath: string): StaticFile | undefined {
  if (root === undefined) return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (rel.includes('\0')) return undefined;
  const file = path.resolve(root, `.${rel === '/' ? '/index.html' : rel}`);
  // Path traversal: `..` segments must not leave the folder.
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  try {
    if (!fs.statSync(file).isFile()) return undefined;
    return {
      body: fs.readFileSync(file),
      type: TYPES[path.extname(file)] ?? 'application/octet-stream',
    };
  } catch {
    return undefined;
  }
}

/** A page that needs nothing but the API: token from `?token=`, kept in sessionStorage. */
export const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Raftboard (headless)</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 2rem; color: #222; }
  table { border-collapse: collapse; }
  th, td { padding: .3rem .7rem; border-bottom: 1px solid #ddd; text-align: left; }
  .leader { font-weight: bold; }
  .crashed, .stopped { color: #a00; }
  .paused { color: #a60; }
</style>
</head>
<body>
<h1>Raftboard</h1>
<p>The web UI is not built yet; this page shows the cluster live. The control API is documented
in the README (<code>/api/cluster</code>, <code>/api/nodes</code>, <code>/api/network</code>,
<code>/api/tasks</code>).</p>
<p id="summary" role="status">Loading…</p>
<table aria-label="Nodes">
  <thead><tr><th>Node</th><th>Role</th><th>Process</th><th>Term</th><th>Commit</th><th>Applied</th><th>MySQL</th></tr></thead>
  <tbody id="nodes"></tbody>
</table>
<script>
  const params = new URLSearchParams(location.search);
  if (params.has('token')) {
    sessionStorage.setItem('raftboard-token', params.get('token'));
    history.replaceState(null, '', location.pathname);
  }
  const token = sessionStorage.getItem('raftboard-token') || '';
  const cell = (text) => { const td = document.createElement('td'); td.textContent = String(text); return td; };
  async function refresh() {
    try {
      const res = await fetch('/api/cluster', { headers: { authorization: 'Bearer ' + token } });
      const c = await res.json();
      if (!res.ok) throw new Error(c.message || res.status);
      document.getElementById('summary').textContent =
        c.leaderId ? 'Leader: n' + c.leaderId + ', term ' + c.term : 'No leader';
      const body = document.getElementById('nodes');
      body.replaceChildren(...c.nodes.map((n) => {
        const tr = document.createElement('tr');
        tr.className = (n.id === c.leaderId ? 'leader ' : '') + n.status;
        tr.append(cell('n' + n.id), cell(n.role), cell(n.status), cell(n.term), cell(n.commitIndex),
          cell(n.appliedIndex), cell(n.mysql.mode + ': ' + n.mysql.status));
        return tr;
      }));
    } catch (e) {
      document.getElementById('summary').textContent = 'Cannot reach the control API: ' + e.message;
    }
  }
  refresh();
  setInterval(refresh, 500);
</script>
</body>
</html>
`;
