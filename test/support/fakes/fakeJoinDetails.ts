import { AppError } from '../../../shared/errors.js';
import type { JoinDetails } from '../../../shared/meetings/joinBlock.js';
import type { JoinDetailsProvider } from '../../../shared/meetings/joinDetailsProvider.js';

/**
 * Webex as the meetings side sees it: a Personal Room per host at `https://contoso.webex.com/meet/<name>`,
 * spaces with members, and an outage switch (`unavailable`) that fails every call as Webex's 5xx do.
 */
export class FakeJoinDetails implements JoinDetailsProvider {
  unavailable = false;
  /** Space id → its members, in the order they joined. */
  readonly spaces = new Map<string, string[]>();
  /** Every call, in order: `personalRoom host`, `spaceMeeting title`, `addMissingMembers spaceId`. */
  readonly calls: string[] = [];

  async personalRoom(hostEmail: string): Promise<JoinDetails> {
    this.#call(`personalRoom ${hostEmail}`);
    const name = hostEmail.split('@')[0] ?? hostEmail;
    return {
      link: `https://contoso.webex.com/meet/${name}`,
      sipAddress: `${name}@contoso.webex.com`,
      meetingNumber: null,
      dialIn: [],
    };
  }

  async spaceMeeting(
    title: string,
    memberEmails: readonly string[],
  ): Promise<JoinDetails & { spaceId: string }> {
    this.#call(`spaceMeeting ${title}`);
    const spaceId = `space-${this.spaces.size + 1}`;
    this.spaces.set(spaceId, [...memberEmails]);
    const number = String(2_000_000_000 + this.spaces.size);
    return {
      spaceId,
      link: `https://contoso.webex.com/m/${number}`,
      sipAddress: `${number}@contoso.webex.com`,
      meetingNumber: number,
      dialIn: [],
    };
  }

  async addMissingMembers(spaceId: string, memberEmails: readonly string[]): Promise<number> {
    this.#call(`addMissingMembers ${spaceId}`);
    const members = this.spaces.get(spaceId);
    if (!members) throw new AppError('not-found', 'Webex has no such space');
    const missing = memberEmails.filter((email) => !members.includes(email));
    members.push(...missing);
    return missing.length;
  }

  #call(call: string): void {
    this.calls.push(call);
    if (this.unavailable) throw new AppError('dependency-unavailable', 'Webex answered 503');
  }
}
