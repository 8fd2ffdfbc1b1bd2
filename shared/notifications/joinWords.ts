import { joinStringsFor, type SupportedLanguage } from '../meetings/joinTemplates.js';

/** The Join notification's own words, in the join block's languages. */
const words: Record<SupportedLanguage, { join: string; startsAt: string }> = {
  en: { join: 'Join', startsAt: 'Starts at' },
  sv: { join: 'Anslut', startsAt: 'Börjar' },
  tr: { join: 'Katıl', startsAt: 'Başlangıç' },
  de: { join: 'Teilnehmen', startsAt: 'Beginnt um' },
  fr: { join: 'Rejoindre', startsAt: 'Commence à' },
  es: { join: 'Unirse', startsAt: 'Empieza a las' },
  ja: { join: '参加', startsAt: '開始時刻' },
};

/** What a Join notification says, in the recipient's language: heading, button, and the start time (UTC). */
export function joinNotificationText(
  language: SupportedLanguage,
  start: string,
): { heading: string; join: string; time: string } {
  const time = new Intl.DateTimeFormat(language, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(new Date(start));
  return {
    heading: joinStringsFor(language).heading,
    join: words[language].join,
    time: `${words[language].startsAt} ${time} UTC`,
  };
}
