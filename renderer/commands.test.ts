import { describe, expect, it } from 'vitest';
import { commands } from './commands';
import { matches, parseChord } from './lib/keys';

describe('command registry', () => {
  it('has unique ids and no shortcut bound to two commands', () => {
    expect(new Set(commands.map((c) => c.id)).size).toBe(commands.length);
    const seen = new Map<string, string>();
    for (const c of commands) {
      for (const k of c.keys ?? []) {
        const chord = parseChord(k);
        const key = `${chord.mod}/${chord.shift}/${chord.alt}/${chord.key}`;
        expect(seen.get(key), `${k} of ${c.id}`).toBeUndefined();
        seen.set(key, c.id);
      }
    }
  });

  it('matches chords the way users press them', () => {
    const ev = (key: string, o: Partial<KeyboardEvent> = {}) => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...o });
    expect(matches('Mod+Z', ev('z', { ctrlKey: true }))).toBe(true);
    expect(matches('Mod+Z', ev('Z', { ctrlKey: true, shiftKey: true }))).toBe(false);
    expect(matches('Mod+Shift+Z', ev('Z', { ctrlKey: true, shiftKey: true }))).toBe(true);
    expect(matches('?', ev('?', { shiftKey: true }))).toBe(true);
    expect(matches('Delete', ev('Delete'))).toBe(true);
    expect(matches('Mod+C', ev('c'))).toBe(false);
  });

  it('gives every menu command a label and a group, and the toolbar a short text', () => {
    for (const c of commands) {
      expect(c.label.length, c.id).toBeGreaterThan(2);
      expect(['File', 'Edit', 'View', 'Graph', 'Help']).toContain(c.group);
      if (c.toolbar !== undefined) expect(c.toolbar.length).toBeGreaterThan(0);
    }
  });
});
