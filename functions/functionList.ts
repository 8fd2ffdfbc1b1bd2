import type { Services } from '../shared/composition.js';
import { type FunctionDefinition, withContext } from '../shared/hosting/functionDefinitions.js';
import type { DescribedRoute } from '../shared/hosting/openApiDocument.js';
import { adminCloudEventEndpointsFunction } from './adminCloudEventEndpoints.js';
import { adminDeadLettersFunction } from './adminDeadLetters.js';
import { adminDisableUsersFunction } from './adminDisableUsers.js';
import { adminEnableUsersFunction } from './adminEnableUsers.js';
import { adminEventTraceFunction } from './adminEventTrace.js';
import { adminListUsersFunction } from './adminListUsers.js';
import { adminMetricsFunction } from './adminMetrics.js';
import { adminRedriveDeadLettersFunction } from './adminRedriveDeadLetters.js';
import { adminTenantSettingsFunction } from './adminTenantSettings.js';
import { errorRetryFunction } from './errorRetry.js';
import { eventChangesFunction } from './eventChanges.js';
import { freeBusyFunction } from './freeBusy.js';
import { graphLifecycleNotificationsFunction } from './graphLifecycleNotifications.js';
import { graphNotificationsFunction } from './graphNotifications.js';
import { healthFunction } from './health.js';
import { joinNotificationsFunction } from './joinNotifications.js';
import { meetingCancelFunction } from './meetingCancel.js';
import { meetingRespondFunction } from './meetingRespond.js';
import { meetingScheduleFunction } from './meetingSchedule.js';
import { meetingsListFunction } from './meetingsList.js';
import { openApiFunction } from './openApi.js';
import { reconciliationFunction } from './reconciliation.js';
import { subscriptionLifecycleFunction } from './subscriptionLifecycle.js';
import { subscriptionRenewalFunction } from './subscriptionRenewal.js';
import { userActivationFunction } from './userActivation.js';
import { watchRefreshFunction } from './watchRefresh.js';

/**
 * Every function of the app, each bound to the narrow context its use case declares. Azure
 * (`app.ts`) and the local host (`dev/`) both serve exactly this list; the composition root is named
 * here and in `app.ts` only.
 */
export const functionList: ReadonlyArray<FunctionDefinition<Services>> = [
  withContext(healthFunction, (services: Services) => services.healthProbes),
  withContext(graphNotificationsFunction, (services: Services) => services.watch),
  withContext(graphLifecycleNotificationsFunction, (services: Services) => services.watch),
  withContext(userActivationFunction, (services: Services) => services.watch),
  withContext(subscriptionLifecycleFunction, (services: Services) => services.watch),
  withContext(subscriptionRenewalFunction, (services: Services) => services.watch),
  withContext(errorRetryFunction, (services: Services) => services.watch),
  withContext(watchRefreshFunction, (services: Services) => services.watch),
  withContext(reconciliationFunction, (services: Services) => services.watch),
  withContext(adminEnableUsersFunction, (services: Services) => services.watch),
  withContext(adminDisableUsersFunction, (services: Services) => services.watch),
  withContext(adminListUsersFunction, (services: Services) => services.watch),
  withContext(adminMetricsFunction, (services: Services) => services.counters),
  withContext(adminDeadLettersFunction, (services: Services) => services.deadLetters),
  withContext(adminRedriveDeadLettersFunction, (services: Services) => ({
    records: services.deadLetters,
    queues: services.deadLetterQueues,
  })),
  withContext(eventChangesFunction, (services: Services) => services.meetings),
  withContext(adminEventTraceFunction, (services: Services) => services.meetings),
  withContext(adminTenantSettingsFunction, (services: Services) => services.meetings),
  withContext(meetingsListFunction, (services: Services) => services.meetings),
  withContext(meetingScheduleFunction, (services: Services) => services.meetings),
  withContext(meetingRespondFunction, (services: Services) => services.meetings),
  withContext(meetingCancelFunction, (services: Services) => services.meetings),
  withContext(freeBusyFunction, (services: Services) => services.meetings),
  withContext(joinNotificationsFunction, (services: Services) => services.notifications),
  withContext(adminCloudEventEndpointsFunction, (services: Services) => services.cloudEventEndpoints),
  withContext(openApiFunction, (services: Services) => ({
    serverUrl: `${services.settings.publicBaseUrl}/api`,
    routes: httpRoutes,
  })),
];

/** The HTTP routes of the list above, as the OpenAPI document describes them. */
export function httpRoutes(): DescribedRoute[] {
  return functionList.flatMap((definition) => (definition.kind === 'http' ? [definition] : []));
}
