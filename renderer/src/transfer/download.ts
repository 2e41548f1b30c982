/** Saves text as a file through the browser's download (Electron asks where to save it). */
export function downloadText(
  name: string,
  type: string,
  text: string,
  doc: Document = document,
): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  doc.body.append(a);
  a.click();
  a.remove();
  // After the click has handed the blob to the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `raftboard-2026-01-05.json`, in the user's local date. */
export function exportName(ext: 'json' | 'csv', now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `raftboard-${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}.${ext}`;
}
