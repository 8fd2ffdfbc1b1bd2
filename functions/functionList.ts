import type { Services } from '../shared/composition.js';
import { type FunctionDefinition, withContext } from '../shared/hosting/functionDefinitions.js';
import type { DescribedRoute } from '../shared/hosting/openApiDocument.js';
import { adminCloudEventEndpointsFunction } from './adminCloudEventEndpoints.js';
import { adminConsoleFunction } from './adminConsole.js';
import { adminConsoleConfigFunction } from './adminConsoleConfig.js';
import { adminDeadLettersFunction } from './adminDeadLetters.js';
import { adminDisableUsersFunction } from './adminDisableUsers.js';
import { adminEnablementJobFunction } from './adminEnablementJob.js';
import { adminEnableUsersFunction } from './adminEnableUsers.js';
import { adminEventTraceFunction } from './adminEventTrace.js';
import { adminJoinBlockPreviewFunction } from './adminJoinBlockPreview.js';
import { adminJoinLinkTestFunction } from './adminJoinLinkTest.js';
import { adminListUsersFunction } from './adminListUsers.js';
import { adminMetricsFunction } from './adminMetrics.js';
import { adminOffboardTenantFunction } from './adminOffboardTenant.js';
import { adminRedriveDeadLettersFunction } from './adminRedriveDeadLetters.js';
import { adminTenantOnboardingFunction } from './adminTenantOnboarding.js';
import { adminTenantSettingsFunction } from './adminTenantSettings.js';
import { connectCallbackFunction } from './connectCallback.js';
import { connectStartFunction } from './connectStart.js';
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
import { onboardingTenantCallbackFunction } from './onboardingTenantCallback.js';
import {
  onboardingEnableFunction,
  onboardingEnablementProgressFunction,
  onboardingTestMailboxFunction,
} from './onboardingTenantForms.js';
import { onboardingTenantStartFunction } from './onboardingTenantStart.js';
import { openApiFunction } from './openApi.js';
import { presencePollingFunction } from './presencePolling.js';
import { presenceTransitionsFunction } from './presenceTransitions.js';
import { reconciliationFunction } from './reconciliation.js';
import { subscriptionLifecycleFunction } from './subscriptionLifecycle.js';
import { subscriptionRenewalFunction } from './subscriptionRenewal.js';
import { tenantEnablementFunction } from './tenantEnablement.js';
import { userActivationFunction } from './userActivation.js';
import { userDataExportFunction } from './userDataExport.js';
import { userDataPurgeFunction } from './userDataPurge.js';
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
  withContext(adminEnableUsersFunction, (services: Services) => services.onboarding.enablement),
  withContext(adminDisableUsersFunction, (services: Services) => services.watch),
  withContext(adminListUsersFunction, (services: Services) => ({
    watch: services.watch,
    userNames: services.userNames,
    reconnectUrlOf: services.reconnectUrlOf,
  })),
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
  withContext(presencePollingFunction, (services: Services) => services.presence),
  withContext(presenceTransitionsFunction, (services: Services) => services.presence),
  withContext(onboardingTenantStartFunction, (services: Services) => services.onboarding),
  withContext(onboardingTenantCallbackFunction, (services: Services) => services.onboarding),
  withContext(onboardingTestMailboxFunction, (services: Services) => services.onboarding),
  withContext(onboardingEnableFunction, (services: Services) => services.onboarding),
  withContext(onboardingEnablementProgressFunction, (services: Services) => services.onboarding),
  withContext(tenantEnablementFunction, (services: Services) => services.onboarding.enablement),
  withContext(adminEnablementJobFunction, (services: Services) => services.onboarding.enablement),
  withContext(adminTenantOnboardingFunction, (services: Services) => services.onboarding),
  withContext(adminOffboardTenantFunction, (services: Services) => services.offboarding),
  withContext(connectStartFunction, (services: Services) => services.connect),
  withContext(connectCallbackFunction, (services: Services) => services.connect),
  withContext(userDataExportFunction, (services: Services) => services.userData),
  withContext(userDataPurgeFunction, (services: Services) => services.userData),
  withContext(joinNotificationsFunction, (services: Services) => services.notifications),
  withContext(adminCloudEventEndpointsFunction, (services: Services) => services.cloudEventEndpoints),
  withContext(openApiFunction, (services: Services) => ({
    serverUrl: `${services.settings.publicBaseUrl}/api`,
    routes: httpRoutes,
  })),
  withContext(adminJoinBlockPreviewFunction, () => undefined),
  withContext(adminJoinLinkTestFunction, (services: Services) => services.meetings),
  withContext(adminConsoleConfigFunction, (services: Services) => services.console),
  withContext(adminConsoleFunction, (services: Services) => services.console),
];

/** The HTTP routes of the list above, as the OpenAPI document describes them. */
export function httpRoutes(): DescribedRoute[] {
  return functionList.flatMap((definition) => (definition.kind === 'http' ? [definition] : []));
}
