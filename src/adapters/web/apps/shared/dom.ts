/** A few DOM helpers: build elements from tags, attributes and children; no framework. */

export type Child = Node | string | number | null | undefined | false | readonly Child[];

type Handler = (event: Event) => void;
export type Attrs = Record<string, string | number | boolean | null | undefined | Handler>;

const append = (parent: Node, child: Child): void => {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) for (const c of child as readonly Child[]) append(parent, c);
  else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
};

/**
 * `h('button', {type: 'button', onclick: go}, 'Go')`: attributes are set as given (`true`
 * as an empty attribute, `false`, null and undefined left out), `on<event>` functions
 * become listeners.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

/** replace an element's children */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** redraw a region without losing the keyboard focus: the focused element's id is focused again afterwards */
export function keepFocus(region: Element, draw: () => void): void {
  const active = document.activeElement;
  const id = active instanceof HTMLElement && region.contains(active) ? active.id : '';
  draw();
  if (id) document.getElementById(id)?.focus();
}

/** the element with this id, which the page's HTML must have */
export function byId<E extends HTMLElement = HTMLElement>(id: string): E {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no element #${id}`);
  return element as E;
}

/** a field's value from a form, trimmed ('' when absent) */
export function field(form: HTMLFormElement, name: string): string {
  const value = new FormData(form).get(name);
  return typeof value === 'string' ? value.trim() : '';
}

/** a labelled control: `<label for=id>text</label>` then the control (given the id) */
export function labelled(text: string, control: HTMLElement, hint?: string): HTMLElement {
  const hintId = hint ? `${control.id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: control.id }, text), control, hint ? h('small', { id: hintId, class: 'hint' }, hint) : null);
}

/** a `<select>` of options `[value, text]` */
export function select(id: string, name: string, options: ReadonlyArray<readonly [string, string]>, selected?: string): HTMLSelectElement {
  return h('select', { id, name }, options.map(([value, text]) => h('option', { value, selected: value === selected }, text)));
}

/** a table with a caption, column headers and rows of cells; on a narrow screen each row is a block of labelled lines */
export function table(caption: string, headers: readonly string[], rows: readonly (readonly Child[])[], attrs: Attrs = {}, captionShown = true): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      attrs,
      h('caption', { class: captionShown ? null : 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, headers.map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell, i) => h('td', { 'data-label': headers[i] || null }, cell))))),
    ),
  );
}

/** run `work` with the button disabled and marked busy */
export async function busy<T>(button: HTMLButtonElement, work: () => Promise<T>): Promise<T> {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}
