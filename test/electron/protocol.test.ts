/** raftboard://app: which files answer, the security headers on every answer, external links. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  appMounts,
  candidateFiles,
  externalUrl,
  serveAppRequest,
} from '../../electron/protocol.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-protocol-'));
const ui = path.join(tmp, 'renderer');
const shellBuilt = path.join(tmp, 'shell-build');
const shellSrc = path.join(tmp, 'shell-src');
for (const d of [path.join(ui, 'assets'), shellBuilt, shellSrc])
  fs.mkdirSync(d, { recursive: true });
fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><p>app</p>');
fs.writeFileSync(path.join(ui, 'assets', 'index-abc.js'), 'console.log(1)');
fs.writeFileSync(path.join(shellBuilt, 'page.js'), 'export {}');
fs.writeFileSync(path.join(shellSrc, 'startup.html'), '<p>starting</p>');
fs.writeFileSync(path.join(tmp, 'secret.txt'), 'secret');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const mounts = appMounts(ui, [shellBuilt, shellSrc]);

describe('candidateFiles', () => {
  it('maps the app, its assets and the start-up view', () => {
    expect(candidateFiles('raftboard://app/', mounts)).toEqual([path.join(ui, 'index.html')]);
    expect(candidateFiles('raftboard://app/assets/index-abc.js?v=1#x', mounts)).toEqual([
      path.join(ui, 'assets', 'index-abc.js'),
    ]);
    expect(candidateFiles('raftboard://app/_shell/startup.html', mounts)).toEqual([
      path.join(shellBuilt, 'startup.html'),
      path.join(shellSrc, 'startup.html'),
    ]);
  });

  it('keeps a dot-segment URL inside its folder (the URL parser resolves it first)', () => {
    expect(candidateFiles('raftboard://app/%2e%2e/secret.txt', mounts)).toEqual([
      path.join(ui, 'secret.txt'),
    ]);
  });

  it.each([
    'raftboard://app/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'raftboard://app/..%5csecret.txt',
    'raftboard://app/%00.html',
    'raftboard://app/%E0%A4%A.html',
    'raftboard://other/index.html',
    'file:///etc/passwd',
    'raftboard://app/assets/',
    'raftboard://app/server.sh',
    'not a url',
  ])('refuses %s', (url) => {
    expect(candidateFiles(url, mounts)).toBeUndefined();
  });
});

describe('serveAppRequest', () => {
  it('answers a file with its type and the security headers', async () => {
    const res = await serveAppRequest('GET', 'raftboard://app/index.html', mounts);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('app');
  });

  it('finds the start-up page in the second folder of its mount', async () => {
    const res = await serveAppRequest('GET', 'raftboard://app/_shell/startup.html', mounts);
    expect(await res.text()).toBe('<p>starting</p>');
    const js = await serveAppRequest('GET', 'raftboard://app/_shell/page.js', mounts);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('404s (with the headers) for missing, foreign and escaping URLs; 405 for writes', async () => {
    for (const url of ['raftboard://app/nope.js', 'raftboard://app/%2e%2e/secret.txt']) {
      const res = await serveAppRequest('GET', url, mounts);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
    expect((await serveAppRequest('POST', 'raftboard://app/index.html', mounts)).status).toBe(405);
  });

  it('the CSP allows our scripts only, no inline script, no eval, no network', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
  });
});

describe('externalUrl', () => {
  it('lets only plain https links out to the browser', () => {
    expect(externalUrl('https://raft.github.io/raft.pdf')).toBe('https://raft.github.io/raft.pdf');
    for (const u of [
      'http://example.com/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'raftboard://app/index.html',
      'smb://host/share',
      'https://user:pw@example.com/',
      'nonsense',
    ]) {
      expect(externalUrl(u), u).toBeUndefined();
    }
  });
});
