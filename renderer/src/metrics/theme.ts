/**
 * The chart colours come from the theme's CSS variables (theme.css), so the charts follow the OS
 * between light and dark like the rest of the window. A canvas does not restyle itself: the hook
 * tells the chart when the scheme flips so it redraws with the new colours.
 */
import { useEffect, useState } from 'react';

export type ThemeColor = 'text' | 'muted' | 'border' | 'accent' | 'ok' | 'bad' | 'pending';

const FALLBACK: Record<ThemeColor, string> = {
  text: '#1b1f24',
  muted: '#5b6470',
  border: '#d5d9e0',
  accent: '#2f6fdb',
  ok: '#1f8a4c',
  bad: '#c23b32',
  pending: '#b7791f',
};

export function themeColor(name: ThemeColor): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(`--${name}`).trim();
  return v === '' ? FALLBACK[name] : v;
}

const DARK = '(prefers-color-scheme: dark)';

/** 'dark' or 'light', updated when the OS setting changes. */
export function useColorScheme(): 'light' | 'dark' {
  const [dark, setDark] = useState(
    () => typeof matchMedia === 'function' && matchMedia(DARK).matches,
  );
  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const query = matchMedia(DARK);
    const onChange = (e: MediaQueryListEvent): void => setDark(e.matches);
    setDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return dark ? 'dark' : 'light';
}
