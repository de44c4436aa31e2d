import type { Authority } from './schema.ts';

/** Supervisory authorities built in, so a register only names them. A register may declare more. */
export const BUILTIN_AUTHORITIES: Authority[] = [
  {
    id: 'se-imy',
    name: {
      en: 'Swedish Authority for Privacy Protection (IMY)',
      sv: 'Integritetsskyddsmyndigheten (IMY)',
      nb: 'Integritetsskyddsmyndigheten (IMY), Sverige',
    },
    country: 'SE',
    web: 'https://www.imy.se/',
    email: 'imy@imy.se',
    address: 'Box 8114, 104 20 Stockholm, Sweden',
  },
  {
    id: 'no-datatilsynet',
    name: {
      en: 'Norwegian Data Protection Authority (Datatilsynet)',
      sv: 'Datatilsynet (Norges dataskyddsmyndighet)',
      nb: 'Datatilsynet',
    },
    country: 'NO',
    web: 'https://www.datatilsynet.no/',
    email: 'postkasse@datatilsynet.no',
    address: 'Postboks 458 Sentrum, 0105 Oslo, Norway',
  },
  {
    id: 'dk-datatilsynet',
    name: {
      en: 'Danish Data Protection Agency (Datatilsynet)',
      sv: 'Datatilsynet (Danmark)',
      nb: 'Datatilsynet (Danmark)',
    },
    country: 'DK',
    web: 'https://www.datatilsynet.dk/',
    email: 'dt@datatilsynet.dk',
    address: 'Carl Jacobsens Vej 35, 2500 Valby, Denmark',
  },
  {
    id: 'fi-tietosuoja',
    name: {
      en: 'Office of the Data Protection Ombudsman (Finland)',
      sv: 'Dataombudsmannens byrå (Finland)',
      nb: 'Datavernombudet (Finland)',
    },
    country: 'FI',
    web: 'https://tietosuoja.fi/',
    email: 'tietosuoja@om.fi',
    address: 'PL 800, 00531 Helsinki, Finland',
  },
];

/** EU member states plus Iceland, Liechtenstein and Norway. */
export const EEA_COUNTRIES = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
]);

export const isEea = (country: string) => EEA_COUNTRIES.has(country);
