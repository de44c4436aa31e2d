import type { html } from '../../core/html.ts';

/** What the `html` tag accepts: Html (kept), text and numbers (escaped), nothing (empty), lists of these. */
export type Content = Parameters<typeof html>[1];
