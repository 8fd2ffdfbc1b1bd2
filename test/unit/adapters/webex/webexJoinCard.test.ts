import { describe, expect, it } from 'vitest';
import { webexJoinMessage } from '../../../../shared/adapters/webex/webexJoinCard.js';
import type { JoinNotice } from '../../../../shared/notifications/joinNotifier.js';

const notice: JoinNotice = {
  tenantId: 'tenant-1',
  meetingKey: 'meeting-key-1',
  start: '2026-11-23T09:00:00.000Z',
  end: '2026-11-23T09:30:00.000Z',
  title: 'Review [click here](https://evil.example) **now**',
  organizerName: 'Alice',
  join: { link: 'https://contoso.webex.com/meet/alice', sipAddress: null },
};

describe('the Webex Join card', () => {
  it('when the title holds markdown, then the card’s TextBlock shows it escaped, as the markdown fallback does', () => {
    const message = webexJoinMessage(notice, {
      key: 'k',
      address: 'bjorn@contoso.example',
      name: null,
      language: 'en',
    });
    const blocks = message.attachments[0]?.content.body ?? [];
    const titleBlock = blocks.find((block) => block.weight === 'Bolder');
    expect(titleBlock?.text).toBe('Review \\[click here\\]\\(https://evil\\.example\\) \\*\\*now\\*\\*');
    expect(message.markdown).toContain(titleBlock?.text);
  });
});
