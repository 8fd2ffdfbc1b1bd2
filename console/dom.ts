/** Builds elements without innerHTML: every text goes in as text, so nothing from the API is markup. */
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  append(element, ...children);
  return element;
}

/** A custom element (a Fluent UI web component) with attributes and children. */
export function fluent(
  tag: string,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

/** A labelled field: the label names the control, and the reason of a refusal appears under it. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement,
  hint?: string,
): { wrapper: HTMLElement; error: HTMLElement } {
  const id = control.id;
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert' });
  const hintElement = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  control.setAttribute('aria-describedby', [hint ? `${id}-hint` : '', `${id}-error`].join(' ').trim());
  const wrapper = h('div', { class: 'field' }, h('label', { for: id }, label), control, hintElement, error);
  return { wrapper, error };
}

/** Shows a refusal's reason next to a field (and marks the control invalid), or clears it. */
export function showFieldError(control: HTMLElement, error: HTMLElement, message: string | undefined): void {
  error.textContent = message ?? '';
  if (message) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toLocaleString('en-GB', { timeZone: 'UTC' })} UTC`;
}

/** The API's input error (`Invalid body: path: reason; path: reason.`) as reasons by path. */
export function problemsOf(message: string | undefined): Map<string, string> {
  const problems = new Map<string, string>();
  for (const part of (message ?? '')
    .replace(/^Invalid body: /, '')
    .replace(/\.$/, '')
    .split('; ')) {
    const split = part.indexOf(': ');
    if (split > 0) problems.set(part.slice(0, split), part.slice(split + 2));
  }
  return problems;
}
