// A small, forgiving XML reader for vendor report files (csynth.xml and friends).
// It builds a plain element tree: name, attributes, children, text. No namespaces, no DTDs;
// comments, processing instructions, CDATA and the five predefined entities are handled.
// Vendor reports are machine-written and simple, so this is all they need, and it keeps
// engine/ free of host code and of extra dependencies.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated direct text content, entity-decoded, trimmed. */
  text: string;
}

export class XmlParseError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'XmlParseError';
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return ENTITIES[body] ?? whole;
  });
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ATTR = /\s*([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"]*)"|'([^']*)')/y;

/** Parses an XML document and returns its root element. Throws XmlParseError on malformed input. */
export function parseXml(source: string): XmlElement {
  const src = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const stack: { el: XmlElement; text: string[] }[] = [];
  let root: XmlElement | null = null;
  let i = 0;
  const n = src.length;
  while (i < n) {
    const lt = src.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const chunk = src.slice(i, textEnd);
      if (stack.length > 0) stack[stack.length - 1].text.push(decode(chunk));
      else if (chunk.trim() !== '') throw new XmlParseError('text outside the root element', i);
    }
    if (lt < 0) break;
    i = lt;
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end < 0) throw new XmlParseError('unterminated comment', i);
      i = end + 3;
    } else if (src.startsWith('<?', i)) {
      const end = src.indexOf('?>', i + 2);
      if (end < 0) throw new XmlParseError('unterminated processing instruction', i);
      i = end + 2;
    } else if (src.startsWith('<![CDATA[', i)) {
      const end = src.indexOf(']]>', i + 9);
      if (end < 0) throw new XmlParseError('unterminated CDATA section', i);
      if (stack.length > 0) stack[stack.length - 1].text.push(src.slice(i + 9, end));
      i = end + 3;
    } else if (src.startsWith('<!', i)) {
      const end = src.indexOf('>', i + 2);
      if (end < 0) throw new XmlParseError('unterminated declaration', i);
      i = end + 1;
    } else if (src.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(src);
      if (!m) throw new XmlParseError('bad closing tag', i);
      const top = stack.pop();
      if (!top || top.el.name !== m[0]) {
        throw new XmlParseError(`closing tag </${m[0]}> does not match <${top?.el.name ?? '(none)'}>`, i);
      }
      top.el.text = top.text.join('').trim();
      const gt = src.indexOf('>', NAME.lastIndex);
      if (gt < 0) throw new XmlParseError('unterminated closing tag', i);
      i = gt + 1;
      if (stack.length === 0) root = top.el;
    } else {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(src);
      if (!m) throw new XmlParseError('bad opening tag', i);
      const el: XmlElement = { name: m[0], attrs: {}, children: [], text: '' };
      let j = NAME.lastIndex;
      for (;;) {
        ATTR.lastIndex = j;
        const a = ATTR.exec(src);
        if (!a) break;
        el.attrs[a[1]] = decode(a[3] ?? a[4] ?? '');
        j = ATTR.lastIndex;
      }
      while (j < n && /\s/.test(src[j])) j++;
      let selfClosing = false;
      if (src[j] === '/' && src[j + 1] === '>') {
        selfClosing = true;
        j += 2;
      } else if (src[j] === '>') {
        j += 1;
      } else {
        throw new XmlParseError(`malformed tag <${el.name}>`, i);
      }
      if (stack.length > 0) stack[stack.length - 1].el.children.push(el);
      else if (root) throw new XmlParseError('more than one root element', i);
      if (selfClosing) {
        if (stack.length === 0) root = el;
      } else {
        stack.push({ el, text: [] });
      }
      i = j;
    }
  }
  if (stack.length > 0) throw new XmlParseError(`element <${stack[stack.length - 1].el.name}> is not closed`, n);
  if (!root) throw new XmlParseError('no root element', 0);
  return root;
}

/** First child with this name. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** Follows a path of child names, e.g. path(root, 'UserAssignments', 'Part'). */
export function path(el: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let cur = el;
  for (const name of names) cur = child(cur, name);
  return cur;
}

/** Text of the element at the path, or undefined when any step is missing. */
export function textAt(el: XmlElement | undefined, ...names: string[]): string | undefined {
  return path(el, ...names)?.text;
}
