// Server-side HTML with preact and htm: values interpolated into a template are escaped by the
// renderer, never concatenated into markup. preact's typings declare the browser's DOM globally
// (they would change Node's own fetch and Buffer types for the whole program), so preact is loaded
// here with the two signatures the server uses.
import htm from 'htm';

/** A rendered element (opaque to the server code). */
export type Markup = { readonly __markup: true } | Markup[] | string | number | null;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { h } = require('preact') as { h: (type: unknown, props: unknown, ...children: unknown[]) => Markup };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { render } = require('preact-render-to-string') as { render: (vnode: Markup) => string };

export const html = htm.bind(h) as unknown as (strings: TemplateStringsArray, ...values: unknown[]) => Markup;

export function renderMarkup(markup: Markup): string {
  return render(markup);
}
