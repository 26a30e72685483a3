// Shortcut strings like 'Mod+Shift+Z' (Mod = Ctrl, or ⌘ on macOS) matched against keyboard events.

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

export interface KeyChord {
  mod: boolean;
  shift: boolean;
  alt: boolean;
  key: string;
}

export function parseChord(s: string): KeyChord {
  const parts = s.split('+');
  const key = parts.pop()!;
  return { mod: parts.includes('Mod'), shift: parts.includes('Shift'), alt: parts.includes('Alt'), key: key.toLowerCase() };
}

export function matches(chord: string, e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>): boolean {
  const c = parseChord(chord);
  const mod = isMac ? e.metaKey : e.ctrlKey;
  if (c.mod !== mod || c.alt !== e.altKey) return false;
  const key = e.key.toLowerCase();
  // Shift changes the key for symbols ('?' is Shift+/); only compare Shift for letters and named keys.
  if (key.length === 1 && !/[a-z0-9]/.test(key)) return key === c.key;
  return c.shift === e.shiftKey && key === c.key;
}

export function displayChord(s: string): string {
  return s
    .split('+')
    .map((p) => (p === 'Mod' ? (isMac ? '⌘' : 'Ctrl') : p === 'ArrowUp' ? '↑' : p === 'ArrowDown' ? '↓' : p === 'ArrowLeft' ? '←' : p === 'ArrowRight' ? '→' : p))
    .join(isMac ? '' : '+');
}
