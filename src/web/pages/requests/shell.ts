/** The two shells of the request pages: the console's desk and the privacy center. */
import { type Html, html, raw } from '../../../core/html.ts';
import { consolePage, publicPage } from '../../layout.ts';
import { DESK_CSS } from './styles.ts';

type Content = Parameters<typeof html>[1];

/** A console page in the Requests section. */
export const deskPage = (title: string, body: Content): Html =>
  raw(
    consolePage({
      title,
      active: 'requests',
      body: html`<style>${raw(DESK_CSS)}</style>${body}`,
    }),
  );

/** A privacy-center page in the requester's language. */
export const centerPage = (title: string, lang: string, body: Html): Html =>
  raw(publicPage({ title, lang, body, css: DESK_CSS }));
