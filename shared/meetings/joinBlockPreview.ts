import { type JoinDetails, renderJoinBlockHtml, renderJoinBlockText } from './joinBlock.js';
import { joinStringsFor, type SupportedLanguage, supportedLanguages } from './joinTemplates.js';
import type { TenantSettingsInput } from './tenantSettings.js';

/** Sample join details for previews: example.com addresses, nothing of a real meeting. */
export const previewJoinDetails: JoinDetails = {
  link: 'https://example.webex.com/meet/sample',
  sipAddress: 'sample@example.webex.com',
  meetingNumber: '2550 123 4567',
  dialIn: [{ label: 'US toll', number: '+1 408 555 0100' }],
};

/** One language's join block as the service would write it, in HTML and in plain text. */
export interface JoinBlockPreview {
  language: SupportedLanguage;
  html: string;
  text: string;
}

/**
 * The join block in every supported language with the templates given (not yet saved), rendered by
 * the very code that writes invitations, so the preview is what attendees will see.
 */
export function previewJoinBlocks(templates: TenantSettingsInput['templates'] = {}): JoinBlockPreview[] {
  return supportedLanguages.map((language) => {
    const strings = joinStringsFor(language, templates);
    return {
      language,
      html: renderJoinBlockHtml(previewJoinDetails, strings),
      text: renderJoinBlockText(previewJoinDetails, strings),
    };
  });
}
