import { z } from 'zod';
import type { UserName, UserNames } from '../../directory/userNames.js';
import type { CalendarGateway } from './calendarGateway.js';
import { isGraphId } from './graphIds.js';

const graphUserNameSchema = z.object({
  displayName: z.string().nullish(),
  mail: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
});

/** Names from Graph's `/users/{id}?$select=…`, 20 users a `$batch` request. */
export class GraphUserNames implements UserNames {
  readonly #gateway: CalendarGateway;

  constructor(gateway: CalendarGateway) {
    this.#gateway = gateway;
  }

  async namesOf(tenantId: string, userIds: readonly string[]): Promise<Map<string, UserName>> {
    const ids = [...new Set(userIds)].filter((id) => isGraphId(id));
    const names = new Map<string, UserName>();
    if (ids.length === 0) return names;
    const answers = await this.#gateway.batch(
      tenantId,
      ids.map((id) => ({
        id,
        method: 'GET' as const,
        url: `/users/${id}?$select=displayName,mail,userPrincipalName`,
      })),
    );
    for (const id of ids) {
      const answer = answers.get(id);
      if (!answer || answer.status < 200 || answer.status >= 300) continue;
      const parsed = graphUserNameSchema.safeParse(answer.body);
      if (!parsed.success) continue;
      names.set(id, {
        displayName: parsed.data.displayName ?? null,
        mail: parsed.data.mail ?? parsed.data.userPrincipalName ?? null,
      });
    }
    return names;
  }
}
