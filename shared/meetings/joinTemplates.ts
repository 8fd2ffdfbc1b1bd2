import { z } from 'zod';

/** The words of a join block. Admins may override any of them per language. */
export const joinStringsSchema = z.object({
  heading: z.string().min(1).max(200),
  link: z.string().min(1).max(100),
  meetingNumber: z.string().min(1).max(100),
  videoSystem: z.string().min(1).max(100),
  phone: z.string().min(1).max(100),
});
export type JoinStrings = z.infer<typeof joinStringsSchema>;

export const supportedLanguages = ['en', 'sv', 'tr', 'de', 'fr', 'es', 'ja'] as const;
export type SupportedLanguage = (typeof supportedLanguages)[number];

const builtInStrings: Record<SupportedLanguage, JoinStrings> = {
  en: {
    heading: 'Join the Webex meeting',
    link: 'Meeting link',
    meetingNumber: 'Meeting number',
    videoSystem: 'Join from a video system',
    phone: 'Join by phone',
  },
  sv: {
    heading: 'Anslut till Webex-mötet',
    link: 'Möteslänk',
    meetingNumber: 'Mötesnummer',
    videoSystem: 'Anslut från ett videosystem',
    phone: 'Anslut per telefon',
  },
  tr: {
    heading: 'Webex toplantısına katılın',
    link: 'Toplantı bağlantısı',
    meetingNumber: 'Toplantı numarası',
    videoSystem: 'Bir video sisteminden katılın',
    phone: 'Telefonla katılın',
  },
  de: {
    heading: 'An der Webex-Besprechung teilnehmen',
    link: 'Besprechungslink',
    meetingNumber: 'Besprechungsnummer',
    videoSystem: 'Über ein Videosystem teilnehmen',
    phone: 'Per Telefon teilnehmen',
  },
  fr: {
    heading: 'Rejoindre la réunion Webex',
    link: 'Lien de la réunion',
    meetingNumber: 'Numéro de la réunion',
    videoSystem: 'Rejoindre depuis un système vidéo',
    phone: 'Rejoindre par téléphone',
  },
  es: {
    heading: 'Unirse a la reunión de Webex',
    link: 'Enlace de la reunión',
    meetingNumber: 'Número de la reunión',
    videoSystem: 'Unirse desde un sistema de vídeo',
    phone: 'Unirse por teléfono',
  },
  ja: {
    heading: 'Webex ミーティングに参加',
    link: 'ミーティング リンク',
    meetingNumber: 'ミーティング番号',
    videoSystem: 'ビデオ システムから参加',
    phone: '電話で参加',
  },
};

/** The language of a locale (`sv-SE` → `sv`) when it is one we have words for. */
export function languageOf(locale: string | null | undefined): SupportedLanguage | undefined {
  const language = (locale ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  return (supportedLanguages as readonly string[]).includes(language)
    ? (language as SupportedLanguage)
    : undefined;
}

/** The organiser's language, else the tenant's default, else English. */
export function chooseLanguage(
  organizerLocale: string | null | undefined,
  tenantDefault: string | null | undefined,
): SupportedLanguage {
  return languageOf(organizerLocale) ?? languageOf(tenantDefault) ?? 'en';
}

/** The words for a language, with the tenant's overrides on top of the built-in ones. */
export function joinStringsFor(
  language: SupportedLanguage,
  overrides: Partial<Record<SupportedLanguage, Partial<JoinStrings>>> = {},
): JoinStrings {
  return { ...builtInStrings[language], ...(overrides[language] ?? {}) };
}
