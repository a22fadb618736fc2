// A strict well-formedness check for the SVG the report writes (no XML parser is installed): every tag
// closed in order, one root, attributes quoted and unique, '&' only in entities, '<' only in markup.
export interface XmlSummary { root: string; elements: Map<string, number> }

const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;

function checkText(text: string, where: number): void {
  for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
    ENTITY.lastIndex = i;
    if (!ENTITY.test(text)) throw new Error(`bare '&' at offset ${where + i}`);
  }
}

export function checkWellFormed(xml: string): XmlSummary {
  const stack: string[] = [];
  const elements = new Map<string, number>();
  let root: string | null = null;
  let closedRoot = false;
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*"[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (text.trim() !== '' && (stack.length === 0)) throw new Error(`text outside the root element at offset ${i}`);
    checkText(text, i);
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) { i = xml.indexOf('-->', lt) + 3; continue; }
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (!m) throw new Error(`malformed markup at offset ${lt}: ${xml.slice(lt, lt + 40)}`);
    const [, close, name, attrs, selfClose] = m;
    if (close) {
      if (stack.pop() !== name) throw new Error(`</${name}> at offset ${lt} does not close the open element`);
      if (stack.length === 0) closedRoot = true;
    } else {
      if (closedRoot || (root !== null && stack.length === 0)) throw new Error(`a second root element <${name}> at offset ${lt}`);
      root ??= name!;
      const names = [...attrs!.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*"([^"]*)"/g)].map(a => { checkText(a[2]!, lt); return a[1]!; });
      if (new Set(names).size !== names.length) throw new Error(`duplicate attribute in <${name}> at offset ${lt}`);
      elements.set(name!, (elements.get(name!) ?? 0) + 1);
      if (!selfClose) stack.push(name!);
    }
    i = lt + m[0].length;
  }
  if (stack.length) throw new Error(`unclosed <${stack.at(-1)}>`);
  if (root === null) throw new Error('no root element');
  return { root, elements };
}
