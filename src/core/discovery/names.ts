/**
 * A small gazetteer of given names and surnames common in the Nordic countries (and a few beyond), and the
 * endings Nordic surnames are built from. Enough to tell a column of people's names from one of product or
 * place names; a column named for a person's name needs only name-shaped values.
 */

const GIVEN = `
anna maria eva karin kristina lena sara emma elin ida johanna linnea hanna maja sofia ingrid astrid alice
elsa wilma ebba julia klara agnes freja saga alma ellen nora selma vera olivia stella signe moa tilda
malin helena cecilia annika camilla jenny therese frida louise linda susanne marie katarina ulla birgitta
margareta elisabeth gunilla monica inger kari liv silje ingunn marit randi tone hilde berit solveig gro
turid ragnhild siri tuva thea ingeborg mette hege trine bente anne kirsten pia lise camilla mari heidi
erik lars karl anders johan per nils jan mikael hans peter olof gustav sven lennart bengt bo leif goran
oskar william lucas liam hugo elias alexander axel oliver noah adam ludvig isak leo filip viktor emil
anton albin edvin theo melvin olle vincent gabriel arvid sixten harry elton nils magnus henrik fredrik
daniel andreas thomas stefan mattias jonas martin niklas patrik marcus tobias simon sebastian david
ola knut bjorn geir terje trond arne odd rune svein tor kjell jostein eirik sindre havard haakon sigurd
even vegard torbjorn asbjorn espen morten rolf steinar tore halvard jakob mathias kristian aksel ole
mads rasmus soren jens kasper frederik mikkel jesper christian morten niels poul birger juha mikko jukka
timo matti pekka antti heikki sami aino leena paivi tiina riikka minna satu tuula sanna johan john james
michael robert mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa
ahmed mohammed ali fatima yusuf amir omar leila aisha hassan maryam zainab ibrahim mustafa
`;

const SURNAMES = `
andersson johansson karlsson nilsson eriksson larsson olsson persson svensson gustafsson pettersson
jonsson jansson hansson bengtsson jönsson lindberg jakobsson magnusson olofsson lindström lindqvist
lindgren berg axelsson bergström lundberg lind lundgren lundqvist mattsson berglund fredriksson sandberg
henriksson forsberg sjöberg wallin engström eklund danielsson lundin håkansson björk bergman gunnarsson
holm wikström samuelsson isaksson fransson bergqvist nyström holmberg arvidsson löfgren söderberg
nyberg blomqvist claesson nordström hansen johansen olsen larsen andersen pedersen nilsen kristiansen
jensen karlsen johnsen pettersen eriksen berg haugen hagen johannessen andreassen jacobsen dahl
jørgensen henriksen lund halvorsen sørensen jakobsen moen gundersen iversen strand solberg svendsen
eide knutsen martinsen paulsen bakken kristoffersen mathisen lie amundsen nguyen rasmussen ali lunde
solheim berge moe nygård bakke kristensen fredriksen holm lien hauge christensen andresen nielsen
knudsen evensen sæther aas myhre hanssen ahmed haugland thomassen sivertsen simonsen holm dahl ek sund
vik lind holm strand korhonen virtanen mäkinen nieminen mäkelä hämäläinen laine heikkinen koskinen
järvinen smith jones williams brown taylor davies wilson evans johnson miller
`;

const toSet = (s: string) => new Set(s.split(/\s+/).filter(Boolean));

export const GIVEN_NAMES: ReadonlySet<string> = toSet(GIVEN);
export const SURNAMES_SET: ReadonlySet<string> = toSet(SURNAMES);

/** Endings of Nordic surnames: -sson, -sen, -ström, -berg, -lund, -qvist, -gren, -dahl, … */
const SURNAME_ENDING =
  /(s?son|sen|ström|strom|berg|lund|qvist|kvist|gren|dahl|dal|holm|stad|rud|vik|heim|näs|nes|by|gård|gaard|nen)$/;

/** A word that is a known given name. */
export const isGivenName = (word: string) => GIVEN_NAMES.has(word.toLowerCase());

/** A word that is a known surname or ends like one (longer than four letters). */
export function isSurname(word: string): boolean {
  const w = word.toLowerCase();
  return SURNAMES_SET.has(w) || (w.length > 4 && SURNAME_ENDING.test(w));
}

/** A capitalised word of letters (with - or '): Åsa, Ødegård, O'Neill, Anna-Karin. */
const NAME_WORD = /^\p{Lu}[\p{Ll}'’]+(-\p{Lu}[\p{Ll}'’]+)?$/u;

/** Words a company, product or place name carries that a person's does not. */
const NOT_PERSON =
  /^(ab|as|asa|oy|aps|ltd|inc|gmbh|hb|kb|group|shop|store|sofa|lamp|chair|table|rug|mug|shelf)$/i;

/** One to four capitalised words: the shape of a person's name. */
export function isNameShaped(value: string): boolean {
  const words = value.trim().split(/\s+/);
  if (words.length < 1 || words.length > 4) return false;
  return words.every((w) => NAME_WORD.test(w) && !NOT_PERSON.test(w));
}

/** Name-shaped, and at least one of its words a known given name or surname. */
export function isKnownName(value: string): boolean {
  if (!isNameShaped(value)) return false;
  return value
    .trim()
    .split(/\s+/)
    .some((w) => w.split('-').some((p) => isGivenName(p) || SURNAMES_SET.has(p.toLowerCase())));
}
