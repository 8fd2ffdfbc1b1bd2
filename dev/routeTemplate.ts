/**
 * Matches request paths against Azure Functions route templates: `users/{userId}`, optional
 * `{id?}`, constrained `{id:int}` (the constraint is not enforced), and catch-all `{*rest}`.
 */
export interface CompiledRoute {
  template: string;
  match(path: string): Record<string, string> | undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Percent-decodes a route value. A malformed escape (`%zz`, a lone `%`) is passed on as it came, as
 * ASP.NET Core's routing (the Azure Functions host) does; the hosting layer then refuses it with 400.
 */
function decodePathParameter(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function compileRoute(template: string): CompiledRoute {
  const names: string[] = [];
  const segments = template.replace(/^\/+|\/+$/g, '').split('/');
  let pattern = '';
  for (const segment of segments) {
    const parameter = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::[^}?]+)?(\?)?\}$/.exec(segment);
    if (!parameter) {
      pattern += `/${escapeRegExp(segment)}`;
      continue;
    }
    const [, catchAll, name, optional] = parameter;
    names.push(name ?? '');
    if (catchAll) pattern += '(?:/(.*))?';
    else if (optional) pattern += '(?:/([^/]+))?';
    else pattern += '/([^/]+)';
  }
  const regex = new RegExp(`^${pattern}/?$`, 'i');
  return {
    template,
    match(path) {
      const found = regex.exec(path);
      if (!found) return undefined;
      const params: Record<string, string> = {};
      names.forEach((name, index) => {
        const value = found[index + 1];
        if (value !== undefined) params[name] = decodePathParameter(value);
      });
      return params;
    },
  };
}
