/**
 * Retained drawing: the views keep their SVG elements between frames and write an attribute or a text
 * only when its value changes (each write costs style, layout and paint work in the browser, even when
 * the value is the same).
 */

export type El = SVGElement & { __v?: Record<string, string> };

/** Sets an attribute unless it already has this value (as last set here). */
export function set(el: El, name: string, v: string | number): void {
  const s = typeof v === 'string' ? v : String(v);
  const c = (el.__v ??= {});
  if (c[name] !== s) {
    c[name] = s;
    el.setAttribute(name, s);
  }
}

/** Removes an attribute (set with `set`). */
export function unset(el: El, name: string): void {
  const c = (el.__v ??= {});
  if (c[name] !== undefined) {
    delete c[name];
    el.removeAttribute(name);
  }
}

/** Sets the text unless it already is this (changing the text node's data: cheaper than a new node). */
export function text(el: El, v: string): void {
  const c = (el.__v ??= {});
  if (c['#text'] !== v) {
    c['#text'] = v;
    const t = el.firstChild;
    if (t !== null && t.nodeType === 3 && t.nextSibling === null) (t as Text).data = v;
    else el.textContent = v;
  }
}

const NS = 'http://www.w3.org/2000/svg';

/** A new SVG element appended to `parent`. */
export function mk<K extends keyof SVGElementTagNameMap>(parent: Element, tag: K, cls?: string): SVGElementTagNameMap[K] & El {
  const el = document.createElementNS(NS, tag) as SVGElementTagNameMap[K] & El;
  if (cls !== undefined) el.setAttribute('class', cls);
  parent.appendChild(el);
  return el;
}

/** The first `n` children made with `make`, adding or removing children as needed. */
export function pool<T extends Element>(parent: Element & { __kids?: T[] }, n: number, make: (parent: Element) => T): T[] {
  const kids = (parent.__kids ??= []);
  while (kids.length < n) kids.push(make(parent));
  while (kids.length > n) kids.pop()!.remove();
  return kids;
}
