import type { Language } from '../../../core/register/schema.ts';

/** The preference center's and the one-click unsubscribe's words, in each language. */
export type PreferenceStrings = {
  title: string;
  intro: string;
  consent: string;
  li: string;
  save: string;
  none: string;
  saved: string;
  nothing: string;
  done: string;
};

export const PREFERENCE_STRINGS: Record<Language, PreferenceStrings> = {
  en: {
    title: 'Your communication settings',
    intro: 'Choose what we may send you. Each company of the group is listed with its own settings.',
    consent: 'Based on your consent: on only if you say yes.',
    li: 'Based on our legitimate interest: you can object by turning it off.',
    save: 'Save my choices',
    none: 'Unsubscribe from everything',
    saved: 'Your choices are saved.',
    nothing: 'We have no communication settings for you.',
    done: 'You are unsubscribed.',
  },
  sv: {
    title: 'Dina kommunikationsinställningar',
    intro: 'Välj vad vi får skicka till dig. Varje bolag i koncernen visas med sina egna inställningar.',
    consent: 'Bygger på ditt samtycke: på bara om du säger ja.',
    li: 'Bygger på vårt berättigade intresse: du kan invända genom att stänga av det.',
    save: 'Spara mina val',
    none: 'Avregistrera mig från allt',
    saved: 'Dina val är sparade.',
    nothing: 'Vi har inga kommunikationsinställningar för dig.',
    done: 'Du är avregistrerad.',
  },
  nb: {
    title: 'Dine kommunikasjonsinnstillinger',
    intro: 'Velg hva vi kan sende deg. Hvert selskap i konsernet vises med sine egne innstillinger.',
    consent: 'Basert på ditt samtykke: på bare hvis du sier ja.',
    li: 'Basert på vår berettigede interesse: du kan protestere ved å slå det av.',
    save: 'Lagre valgene mine',
    none: 'Meld meg av alt',
    saved: 'Valgene dine er lagret.',
    nothing: 'Vi har ingen kommunikasjonsinnstillinger for deg.',
    done: 'Du er meldt av.',
  },
};
