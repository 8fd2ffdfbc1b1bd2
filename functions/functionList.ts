import type { Services } from '../shared/composition.js';
import type { FunctionDefinition } from '../shared/hosting/functionDefinitions.js';
import { adminDisableUsersFunction } from './adminDisableUsers.js';
import { adminEnableUsersFunction } from './adminEnableUsers.js';
import { adminEventTraceFunction } from './adminEventTrace.js';
import { adminListUsersFunction } from './adminListUsers.js';
import { adminMetricsFunction } from './adminMetrics.js';
import { adminTenantSettingsFunction } from './adminTenantSettings.js';
import { errorRetryFunction } from './errorRetry.js';
import { eventChangesFunction } from './eventChanges.js';
import { freeBusyFunction } from './freeBusy.js';
import { graphLifecycleNotificationsFunction } from './graphLifecycleNotifications.js';
import { graphNotificationsFunction } from './graphNotifications.js';
import { healthFunction } from './health.js';
import { meetingCancelFunction } from './meetingCancel.js';
import { meetingRespondFunction } from './meetingRespond.js';
import { meetingScheduleFunction } from './meetingSchedule.js';
import { meetingsListFunction } from './meetingsList.js';
import { openApiFunction } from './openApi.js';
import { subscriptionLifecycleFunction } from './subscriptionLifecycle.js';
import { subscriptionRenewalFunction } from './subscriptionRenewal.js';
import { userActivationFunction } from './userActivation.js';
import { watchRefreshFunction } from './watchRefresh.js';

/** Every function of the app. Azure (`app.ts`) and the local host (`dev/`) both serve exactly this list. */
export const functionList: ReadonlyArray<FunctionDefinition<Services>> = [
  healthFunction,
  graphNotificationsFunction,
  graphLifecycleNotificationsFunction,
  userActivationFunction,
  subscriptionLifecycleFunction,
  subscriptionRenewalFunction,
  errorRetryFunction,
  watchRefreshFunction,
  adminEnableUsersFunction,
  adminDisableUsersFunction,
  adminListUsersFunction,
  adminMetricsFunction,
  eventChangesFunction,
  adminEventTraceFunction,
  adminTenantSettingsFunction,
  meetingsListFunction,
  meetingScheduleFunction,
  meetingRespondFunction,
  meetingCancelFunction,
  freeBusyFunction,
  openApiFunction,
];
