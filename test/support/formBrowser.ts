/**
 * A browser as far as server-rendered pages need one: follows redirects (recording every URL it
 * went through), reads HTML forms and posts them with their hidden fields. No cookies: the
 * onboarding pages use none.
 */
export interface BrowsedPage {
  status: number;
  url: string;
  html: string;
  /** Every URL requested on the way, the first one included. */
  visited: string[];
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return match ? decodeEntities(match[1] ?? '') : undefined;
}

export class FormBrowser {
  /** Follows up to 10 redirects from a GET (or a form POST), as a browser does. */
  async open(url: string, init: RequestInit = {}): Promise<BrowsedPage> {
    const visited: string[] = [];
    let current = url;
    let request: RequestInit = init;
    for (let hop = 0; hop < 10; hop += 1) {
      visited.push(current);
      const response = await fetch(current, { ...request, redirect: 'manual' });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.arrayBuffer();
        current = new URL(location, current).toString();
        request = {};
        continue;
      }
      return { status: response.status, url: current, html: await response.text(), visited };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** The fields of the form with this id: hidden inputs and their values. */
  form(page: BrowsedPage, id: string): { action: string; fields: Record<string, string> } {
    const match = new RegExp(`<form([^>]*\\sid="${id}"[^>]*)>([\\s\\S]*?)</form>`, 'i').exec(page.html);
    if (!match) throw new Error(`no form #${id} on ${page.url}`);
    const fields: Record<string, string> = {};
    for (const input of (match[2] ?? '').matchAll(/<input[^>]*>/gi)) {
      const tag = input[0];
      const name = attribute(tag, 'name');
      if (name && attribute(tag, 'type') === 'hidden') fields[name] = attribute(tag, 'value') ?? '';
    }
    return { action: new URL(attribute(match[1] ?? '', 'action') ?? '', page.url).toString(), fields };
  }

  /** Submits the form with this id, its hidden fields plus what the user typed or chose. */
  async submit(page: BrowsedPage, id: string, typed: Record<string, string>): Promise<BrowsedPage> {
    const { action, fields } = this.form(page, id);
    return this.open(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, ...typed }).toString(),
    });
  }
}

/** The value of a `data-*` attribute on the page, the first one. */
export function dataAttribute(html: string, name: string): string | undefined {
  return new RegExp(`data-${name}="([^"]*)"`).exec(html)?.[1];
}
