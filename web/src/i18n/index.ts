// i18next with the two catalogs: English by default, French second; the agent's saved language decides.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';
import { fr } from './fr.ts';

export type Language = 'en-us' | 'fr-fr';
export const LANGUAGES: { code: Language; short: 'en' | 'fr'; name: string }[] = [
  { code: 'en-us', short: 'en', name: 'English' },
  { code: 'fr-fr', short: 'fr', name: 'Français' },
];

export function shortOf(code: string): 'en' | 'fr' {
  return code.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, fr: { translation: fr } },
  lng: shortOf(navigator.language ?? 'en'),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
});

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
});
document.documentElement.lang = i18n.language;

export default i18n;
