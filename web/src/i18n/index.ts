// i18next with the two catalogs: English by default, French second; the agent's saved language decides. English is in
// the first load; French (the core catalog and the texts of the features loaded so far) is downloaded when first
// needed, before the app switches to it, so nobody downloads a language they do not read.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';

export type Language = 'en-us' | 'fr-fr';
export const LANGUAGES: { code: Language; short: 'en' | 'fr'; name: string }[] = [
  { code: 'en-us', short: 'en', name: 'English' },
  { code: 'fr-fr', short: 'fr', name: 'Français' },
];

export function shortOf(code: string): 'en' | 'fr' {
  return code.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

/** A feature's own texts, loaded with its pages: English at once, French from its own chunk. */
export interface FeatureTexts {
  en: object;
  fr: () => Promise<object>;
}

const features: FeatureTexts[] = [];
/** Set once the French catalog is in, with every feature's French added as the feature arrives. */
let french: Promise<void> | null = null;
const frenchOf = new Map<FeatureTexts, Promise<void>>();

const add = (language: 'en' | 'fr', texts: object): void => {
  // Deep, keeping what is there: a feature's keys under admin.* join the catalog's own.
  i18n.addResourceBundle(language, 'translation', texts, true, false);
};

function featureInFrench(feature: FeatureTexts): Promise<void> {
  const known = frenchOf.get(feature);
  if (known) return known;
  const loading = feature.fr().then((texts) => {
    add('fr', texts);
  });
  frenchOf.set(feature, loading);
  return loading;
}

function loadFrench(): Promise<void> {
  french ??= import('./fr.ts')
    .then(async ({ fr }) => {
      add('fr', fr);
      await Promise.all(features.map(featureInFrench));
    })
    .catch((err: unknown) => {
      // Not downloaded (offline, or a redeploy removed the chunk: new-version.ts reloads then): tried again next time.
      french = null;
      frenchOf.clear();
      throw err;
    });
  return french;
}

/**
 * Switches the app to `language`, its texts downloaded first. When they cannot be, the app stays in the language it
 * speaks (it never shows keys, nor fails the page that asked).
 */
export async function switchLanguage(language: 'en' | 'fr'): Promise<void> {
  if (language === 'fr')
    try {
      await loadFrench();
    } catch {
      return;
    }
  await i18n.changeLanguage(language);
}

/** Adds a feature's texts; resolves once they are there in the language in use (a page waits for it). */
export function addFeatureTexts(feature: FeatureTexts): Promise<void> {
  add('en', feature.en);
  features.push(feature);
  // Its French missing (not downloaded), the page still opens, in English.
  return french ? french.then(() => featureInFrench(feature)).catch(() => undefined) : Promise.resolve();
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en } },
  // The browser's language until the agent's saved one is known; main.tsx loads it before the first render.
  lng: 'en',
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
});

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
});
document.documentElement.lang = i18n.language;

export default i18n;
