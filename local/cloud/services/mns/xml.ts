/**
 * The XML of the MNS queue API: a strict reader for the small documents clients send (`<Message>`, `<Messages>`,
 * `<Queue>`, `<ReceiptHandles>`) and a writer for the replies, both in the `http://mns.aliyuncs.com/doc/v1/`
 * namespace. The reader refuses what an XML parser refuses (an unescaped `&` or `<` in text, mismatched tags),
 * which is how the real service answers `MalformedXML` to `@alicloud/mns`'s unescaped message bodies.
 */

/** The namespace of every MNS document. */
export const MNS_XML_NAMESPACE = 'http://mns.aliyuncs.com/doc/v1/';

/** One element: its name, its child elements in order, and its text (entities decoded). */
export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  text: string;
}

/** The document is not well-formed XML. */
export class MalformedXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedXmlError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*/;
const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (text.includes('<')) throw new MalformedXmlError('a "<" in text must be escaped as &lt;');
  return text.replace(/&([^;&\s]{0,10});?/g, (match, entity: string) => {
    if (!match.endsWith(';')) throw new MalformedXmlError(`an "&" in text must be escaped as &amp; (near "${match}")`);
    if (entity in ENTITIES) return ENTITIES[entity] as string;
    const numeric = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(entity);
    if (!numeric) throw new MalformedXmlError(`unknown entity &${entity};`);
    const code = numeric[1]!.startsWith('x') ? Number.parseInt(numeric[1]!.slice(1), 16) : Number(numeric[1]);
    if (code > 0x10ffff || code === 0) throw new MalformedXmlError(`character reference &${entity}; is out of range`);
    return String.fromCodePoint(code);
  });
}

/** Parse a document into its root element; throws {@link MalformedXmlError}. */
export function parseXml(source: string): XmlElement {
  let text = source.replace(/^\uFEFF/, '');
  text = text.replace(/^\s*<\?xml[^?]*\?>/, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (chunk.length > 0) {
      const top = stack[stack.length - 1];
      if (!top) {
        if (chunk.trim() !== '') throw new MalformedXmlError('text outside the root element');
      } else top.text += decodeEntities(chunk);
    }
    if (lt < 0) break;
    if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt);
      const top = stack[stack.length - 1];
      if (end < 0 || !top) throw new MalformedXmlError('unterminated or misplaced CDATA section');
      top.text += text.slice(lt + 9, end);
      i = end + 3;
      continue;
    }
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt);
      if (end < 0) throw new MalformedXmlError('unterminated comment');
      i = end + 3;
      continue;
    }
    const gt = text.indexOf('>', lt);
    if (gt < 0) throw new MalformedXmlError('unterminated tag');
    const tag = text.slice(lt + 1, gt);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new MalformedXmlError(`closing tag </${name}> does not match`);
      if (stack.length === 0) root = open;
    } else {
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const name = NAME.exec(body)?.[0];
      if (!name) throw new MalformedXmlError(`invalid tag <${tag}>`);
      const attributes = body.slice(name.length);
      if (attributes.trim() !== '' && !/^(\s+[A-Za-z_][\w.:-]*\s*=\s*("[^"<]*"|'[^'<]*'))*\s*$/.test(attributes)) {
        throw new MalformedXmlError(`invalid attributes in <${name}>`);
      }
      if (root) throw new MalformedXmlError('more than one root element');
      const element: XmlElement = { name, children: [], text: '' };
      stack[stack.length - 1]?.children.push(element);
      if (selfClosing) {
        if (stack.length === 0) root = element;
      } else stack.push(element);
    }
    i = gt + 1;
  }
  if (stack.length > 0) throw new MalformedXmlError(`element <${stack[stack.length - 1]!.name}> is not closed`);
  if (!root) throw new MalformedXmlError('the document has no root element');
  return root;
}

/** The text of the first child called `name`, or undefined. */
export function childText(element: XmlElement, name: string): string | undefined {
  return element.children.find((c) => c.name === name)?.text;
}

/** Escape text for an XML element. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`);
}

/** What {@link writeXml} writes: an element's fields in order (undefined skipped), or child elements. */
export type XmlFields = ReadonlyArray<readonly [string, string | number | boolean | undefined | XmlFields]>;

function fieldsXml(fields: XmlFields): string {
  return fields
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${Array.isArray(v) ? fieldsXml(v as XmlFields) : escapeXml(String(v))}</${k}>`)
    .join('');
}

/** A complete reply document `<root xmlns=...>fields</root>`. */
export function writeXml(root: string, fields: XmlFields): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${MNS_XML_NAMESPACE}">${fieldsXml(fields)}</${root}>`;
}
