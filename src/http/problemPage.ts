/**
 * Problems as HTML pages, for people: a console or privacy-center page that fails answers a page with
 * the right status, what happened in plain words, a way back, and a reference for support, never raw
 * JSON. The API (/api/…) and clients that do not ask for HTML keep problem+json (src/http/problem.ts).
 *
 * The words are fixed per status, never the error's message: messages may quote what was sent or name
 * a row, and an error page must show no personal data. Field names of a validation error are shown.
 */
import type { FastifyRequest } from 'fastify';
import { type Html, html } from '../core/html.ts';
import { CENTER_STRINGS, pickLang } from '../core/privacy-center/strings.ts';
import { LANGUAGES, type Language } from '../core/register/schema.ts';
import { catalogue } from '../web/i18n/catalogue.ts';
import { consolePage, publicPage, type Viewer } from '../web/layout.ts';
import type { Problem } from './problem.ts';
import { fieldOf } from './fields.ts';

/** A page for a person rather than a document for a program: not the API, and the client accepts HTML. */
export function wantsHtmlPage(req: FastifyRequest): boolean {
  return !req.url.startsWith('/api/') && String(req.headers.accept ?? '').includes('text/html');
}

export const isConsolePath = (url: string) => /^\/console(\/|\?|$)/.test(url);

type Kind = 'invalid' | 'forbidden' | 'not-found' | 'gone' | 'rate-limited' | 'conflict' | 'internal';

function kindOf(status: number): Kind {
  if (status === 400 || status === 413 || status === 415 || status === 422) return 'invalid';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 410) return 'gone';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'internal';
  return 'conflict';
}

type Words = { title: string; text: string };

/** The console's problem pages in the person's console language (the catalogue area 'console-problems'). */
const consoleProblemWords = catalogue(
  'console-problems',
  {
    kinds: {
      invalid: {
        title: 'This could not be accepted',
        text: 'Some of what was sent is not valid. Go back, correct it and send it again.',
      },
      forbidden: {
        title: 'You do not have access to this page',
        text: 'None of your roles allows this. If your work needs it, ask the data protection officer of your company for the role.',
      },
      'not-found': {
        title: 'Not found',
        text: 'There is nothing here. The address may be mistyped, or what it pointed to was removed or belongs to a company you do not work for.',
      },
      gone: {
        title: 'No longer available',
        text: 'What this address pointed to has expired or been removed.',
      },
      'rate-limited': { title: 'Too many attempts', text: 'Wait a minute, then try again.' },
      conflict: {
        title: 'This could not be done now',
        text: 'The state of what you acted on does not allow it (it may have changed meanwhile). Reload it and try again.',
      },
      internal: {
        title: 'Something went wrong on our side',
        text: 'Nothing you did caused this. Try again in a moment; if it happens again, send the reference below to your administrator.',
      },
    } as Record<Kind, Words>,
    error: 'Error',
    check: 'Check:',
    needs: 'This page needs the permission',
    previous: 'Back to the previous page',
    console: 'Back to the console',
    reference: 'Reference for support:',
  },
  {
    sv: {
      kinds: {
        invalid: {
          title: 'Det här kunde inte tas emot',
          text: 'En del av det som skickades är inte giltigt. Gå tillbaka, rätta det och skicka igen.',
        },
        forbidden: {
          title: 'Du har inte åtkomst till den här sidan',
          text: 'Ingen av dina roller tillåter det här. Om du behöver det i ditt arbete, be dataskyddsombudet i ditt bolag om rollen.',
        },
        'not-found': {
          title: 'Hittades inte',
          text: 'Här finns ingenting. Adressen kan vara felskriven, eller så har det den pekade på tagits bort eller hör till ett bolag du inte arbetar för.',
        },
        gone: {
          title: 'Finns inte längre',
          text: 'Det den här adressen pekade på har löpt ut eller tagits bort.',
        },
        'rate-limited': { title: 'För många försök', text: 'Vänta en minut och försök sedan igen.' },
        conflict: {
          title: 'Det här går inte att göra just nu',
          text: 'Läget för det du försökte ändra tillåter det inte (det kan ha ändrats under tiden). Ladda om sidan och försök igen.',
        },
        internal: {
          title: 'Något gick fel hos oss',
          text: 'Det var inget du gjorde. Försök igen om en stund; händer det igen, skicka referensen nedan till din administratör.',
        },
      },
      error: 'Fel',
      check: 'Kontrollera:',
      needs: 'Den här sidan kräver behörigheten',
      previous: 'Tillbaka till föregående sida',
      console: 'Tillbaka till konsolen',
      reference: 'Referens för support:',
    },
    nb: {
      kinds: {
        invalid: {
          title: 'Dette kunne ikke tas imot',
          text: 'Noe av det som ble sendt, er ikke gyldig. Gå tilbake, rett det og send på nytt.',
        },
        forbidden: {
          title: 'Du har ikke tilgang til denne siden',
          text: 'Ingen av rollene dine gir tilgang til dette. Trenger du det i arbeidet ditt, be personvernombudet i selskapet ditt om rollen.',
        },
        'not-found': {
          title: 'Ikke funnet',
          text: 'Her finnes det ingenting. Adressen kan være feilskrevet, eller det den pekte på, er fjernet eller tilhører et selskap du ikke jobber for.',
        },
        gone: {
          title: 'Ikke lenger tilgjengelig',
          text: 'Det denne adressen pekte på, er utløpt eller fjernet.',
        },
        'rate-limited': { title: 'For mange forsøk', text: 'Vent et minutt, og prøv igjen.' },
        conflict: {
          title: 'Dette kan ikke gjøres nå',
          text: 'Tilstanden til det du prøvde å endre, tillater det ikke (det kan ha endret seg i mellomtiden). Last inn siden på nytt og prøv igjen.',
        },
        internal: {
          title: 'Noe gikk galt hos oss',
          text: 'Det var ikke noe du gjorde. Prøv igjen om litt; skjer det igjen, send referansen nedenfor til administratoren din.',
        },
      },
      error: 'Feil',
      check: 'Kontroller:',
      needs: 'Denne siden krever tillatelsen',
      previous: 'Tilbake til forrige side',
      console: 'Tilbake til konsollen',
      reference: 'Referanse for brukerstøtte:',
    },
  },
);

/** The privacy center's error pages, in the visitor's language. */
export const PUBLIC_ERROR_WORDS: Record<
  Language,
  Record<Kind, Words> & { reference: string; previous: string }
> = {
  en: {
    ...consoleProblemWords('en').kinds,
    forbidden: {
      title: 'You do not have access to this page',
      text: 'The link may no longer be valid, or it is not yours.',
    },
    'not-found': {
      title: 'Page not found',
      text: 'The address may be mistyped, or the page or link has been removed or has expired.',
    },
    gone: { title: 'The link has expired', text: 'Ask for a new link.' },
    internal: {
      title: 'Something went wrong on our side',
      text: 'Try again in a moment. If it happens again, quote the reference below when you contact us.',
    },
    reference: 'Reference',
    previous: 'Back',
  },
  sv: {
    invalid: {
      title: 'Uppgifterna kunde inte tas emot',
      text: 'Något av det som skickades är inte giltigt. Gå tillbaka, rätta det och skicka igen.',
    },
    forbidden: {
      title: 'Du har inte åtkomst till den här sidan',
      text: 'Länken kan ha slutat gälla, eller så är den inte din.',
    },
    'not-found': {
      title: 'Sidan finns inte',
      text: 'Adressen kan vara felskriven, eller så har sidan eller länken tagits bort eller gått ut.',
    },
    gone: { title: 'Länken har gått ut', text: 'Be om en ny länk.' },
    'rate-limited': { title: 'För många försök', text: 'Vänta en stund och försök igen.' },
    conflict: { title: 'Det gick inte att göra det här nu', text: 'Ladda om sidan och försök igen.' },
    internal: {
      title: 'Något gick fel hos oss',
      text: 'Försök igen om en stund. Om felet kvarstår, ange referensen nedan när du kontaktar oss.',
    },
    reference: 'Referens',
    previous: 'Tillbaka',
  },
  nb: {
    invalid: {
      title: 'Opplysningene kunne ikke tas imot',
      text: 'Noe av det som ble sendt, er ikke gyldig. Gå tilbake, rett det og send på nytt.',
    },
    forbidden: {
      title: 'Du har ikke tilgang til denne siden',
      text: 'Lenken kan ha sluttet å gjelde, eller den er ikke din.',
    },
    'not-found': {
      title: 'Siden finnes ikke',
      text: 'Adressen kan være feilskrevet, eller siden eller lenken er fjernet eller utløpt.',
    },
    gone: { title: 'Lenken er utløpt', text: 'Be om en ny lenke.' },
    'rate-limited': { title: 'For mange forsøk', text: 'Vent litt og prøv igjen.' },
    conflict: { title: 'Dette kunne ikke gjøres nå', text: 'Last inn siden på nytt og prøv igjen.' },
    internal: {
      title: 'Noe gikk galt hos oss',
      text: 'Prøv igjen om litt. Hvis feilen vedvarer, oppgi referansen nedenfor når du kontakter oss.',
    },
    reference: 'Referanse',
    previous: 'Tilbake',
  },
};

/** The page the person came from, when it is one of ours (the Referer of a same-origin navigation). */
function previousPage(req: FastifyRequest, within: (path: string) => boolean): string | undefined {
  const referer = req.headers.referer;
  if (!referer) return undefined;
  try {
    const r = new URL(referer);
    // Normalise the Host header as a URL does (a default port such as :80 is dropped).
    if (r.host !== new URL(`${r.protocol}//${req.headers.host ?? ''}`).host) return undefined;
    const here = req.url.split('?')[0];
    if (r.pathname === here || !within(r.pathname)) return undefined;
    return r.pathname + r.search;
  } catch {
    return undefined;
  }
}

/** The support reference: the problem's code, the request id of the server log, and a 500's error id. */
function reference(problem: Problem, req: FastifyRequest): string {
  const errorId = problem.instance?.replace(/^urn:uuid:/, '');
  return [problem.code ?? `http-${problem.status}`, `request ${req.id}`, errorId && `error ${errorId}`]
    .filter(Boolean)
    .join(' · ');
}

/** Names of the fields a validation problem lists (never their values or messages). */
function fieldsOf(problem: Problem): string[] {
  return [...new Set((problem.errors ?? []).map((e) => e.path).filter((p) => /^[\w.[\]-]{1,80}$/.test(p)))];
}

/** The permission a forbidden answer names (e.g. 'audit:read'), to tell the person which role to ask for. */
function permissionOf(problem: Problem): string | undefined {
  return /'([a-z]+:[a-z]+)'/.exec(problem.detail)?.[1];
}

const PAGE_CSS =
  '.problem{max-width:40rem;margin:2.5rem auto}.problem .ref{font-size:.85rem;color:#5f6b7c;overflow-wrap:anywhere}.problem .actions{display:flex;flex-wrap:wrap;gap:.6rem;margin:1.2rem 0 .4rem}';

function consoleProblemPage(problem: Problem, req: FastifyRequest, viewer: Viewer | undefined): string {
  const kind = kindOf(problem.status);
  // The error handler may run outside the page context (a validation error): ask the request itself.
  const lang = req.consoleLanguage ?? pickLang(req.headers['accept-language'], 'en');
  const w = consoleProblemWords(lang);
  const words = w.kinds[kind];
  const fields = kind === 'invalid' ? fieldsOf(problem) : [];
  const permission = kind === 'forbidden' ? permissionOf(problem) : undefined;
  const back = previousPage(req, isConsolePath);
  const body: Html = html`<style>${PAGE_CSS}</style><section class="card problem" role="alert" data-status="${problem.status}">
<p class="muted">${w.error} ${problem.status}</p><h1>${words.title}</h1><p>${words.text}</p>
${fields.length ? html`<p>${w.check} ${fields.map((f, i) => html`${i ? ', ' : ''}<code>${f}</code>`)}.</p>` : ''}
${permission ? html`<p>${w.needs} <code>${permission}</code>.</p>` : ''}
<p class="actions">${back ? html`<a class="button" href="${back}">${w.previous}</a> ` : ''}<a class="button${back ? ' secondary' : ''}" href="/console">${w.console}</a></p>
<p class="ref">${w.reference} <code>${reference(problem, req)}</code></p></section>`;
  return consolePage({ title: words.title, body, viewer, lang });
}

/** The privacy center's links sent by mail (settings, unsubscribe, download): which one a path is. */
function mailedLinkOf(url: string): 'settings' | 'download' | undefined {
  const path = url.split('?')[0]!;
  if (/^\/privacy\/(preferences|unsubscribe)\/[^/]*$/.test(path)) return 'settings';
  if (/^\/privacy\/requests\/download\/[^/]*$/.test(path)) return 'download';
  return undefined;
}

/** A mailed link that does not work (malformed, unknown, replaced or expired): what to do instead. */
const LINK_WORDS: Record<Language, Words & { settings: string; download: string }> = {
  en: {
    title: 'This link does not work',
    text: 'It may be incomplete (copy the whole link from the e-mail), replaced by a newer one, or expired.',
    settings: 'Send me a new link to my settings',
    download: 'Make a new request',
  },
  sv: {
    title: 'Länken fungerar inte',
    text: 'Den kan vara ofullständig (kopiera hela länken från e-postmeddelandet), ersatt av en nyare eller ha gått ut.',
    settings: 'Skicka mig en ny länk till mina inställningar',
    download: 'Gör en ny begäran',
  },
  nb: {
    title: 'Lenken virker ikke',
    text: 'Den kan være ufullstendig (kopier hele lenken fra e-posten), erstattet av en nyere, eller utløpt.',
    settings: 'Send meg en ny lenke til innstillingene mine',
    download: 'Send en ny forespørsel',
  },
};

function publicProblemPage(problem: Problem, req: FastifyRequest): string {
  const asked = fieldOf(req.query, 'lang');
  const lang: Language =
    typeof asked === 'string' && (LANGUAGES as readonly string[]).includes(asked)
      ? (asked as Language)
      : pickLang(req.headers['accept-language'], 'en');
  const strings = PUBLIC_ERROR_WORDS[lang];
  const kind = kindOf(problem.status);
  // A mailed link that is malformed, unknown or expired reads as that, with the way to a new one.
  const link = ['invalid', 'forbidden', 'not-found', 'gone'].includes(kind)
    ? mailedLinkOf(req.url)
    : undefined;
  const words = link ? LINK_WORDS[lang] : strings[kind];
  const forward = link
    ? html`<a class="button" href="${link === 'settings' ? `/privacy?lang=${lang}#settings` : `/privacy/requests/new?lang=${lang}`}">${LINK_WORDS[lang][link]}</a> `
    : '';
  const back = previousPage(req, (p) => p.startsWith('/privacy'));
  const body = html`<section class="card problem" role="alert" data-status="${problem.status}">
<h1>${words.title}</h1><p>${words.text}</p>
<p class="actions">${back ? html`<a class="button secondary" href="${back}">${strings.previous}</a> ` : ''}${forward}<a class="button${link ? ' secondary' : ''}" href="/privacy?lang=${lang}">${CENTER_STRINGS[lang].back}</a></p>
<p class="ref">${strings.reference}: <code>${reference(problem, req)}</code></p></section>`;
  return publicPage({ title: words.title, lang, body, css: PAGE_CSS });
}

/** The HTML page for a problem: the console's look under /console, the privacy center's elsewhere. */
export function problemPage(problem: Problem, req: FastifyRequest, viewer?: Viewer): string {
  return isConsolePath(req.url) ? consoleProblemPage(problem, req, viewer) : publicProblemPage(problem, req);
}
