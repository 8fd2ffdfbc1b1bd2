import type { InvocationContext } from '@azure/functions';
import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import { fromServiceBusReceivedMessage } from '../adapters/serviceBus/serviceBusMessageBus.js';
import type { RouteAccessContext } from '../auth/routeAccess.js';
import type { DeadLetterRecords } from '../bus/deadLetterRecords.js';
import type { MessageBus } from '../bus/messageBus.js';
import type { Clock } from '../time/clock.js';
import { app } from './azureFunctionsRuntime.js';
import {
  answerHttpRequest,
  type FunctionDefinition,
  type QueueFunctionDefinition,
  recordDeadLetter,
  runTimerFunction,
  settleQueueMessage,
  settleWithBus,
} from './functionDefinitions.js';

/** The settlement actions the Functions Service Bus SDK binding hands to a trigger. */
export interface MessageActions {
  complete(message: ServiceBusReceivedMessage): Promise<void>;
  abandon(message: ServiceBusReceivedMessage): Promise<void>;
  /**
   * The binding's own signature also takes properties, a reason and a description, but 0.2.0-preview
   * (the version the registry serves) fails with a gRPC serialization error when a reason or
   * description is given (fixed in 0.4.0). So the host passes the message alone and records the
   * reason itself (`DeadLetterRecords`).
   */
  deadletter(message: ServiceBusReceivedMessage): Promise<void>;
}

/** What a trigger with `sdkBinding: true` receives: the message(s) and the actions to settle them. */
export interface ServiceBusMessageContext {
  messages: ServiceBusReceivedMessage | ServiceBusReceivedMessage[];
  actions: MessageActions;
}

function isMessageContext(value: unknown): value is ServiceBusMessageContext {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<ServiceBusMessageContext>;
  return candidate.messages !== undefined && typeof candidate.actions?.deadletter === 'function';
}

/**
 * Runs a queue function on a message the host delivered and settles it explicitly: complete,
 * dead-letter with the handler's reason, or abandon (and rethrow, so the invocation shows as
 * failed) when the failure is transient.
 */
export async function runQueueFunctionOnServiceBus<S extends QueueHostServices>(
  definition: QueueFunctionDefinition<S>,
  trigger: unknown,
  services: S,
  context: InvocationContext,
): Promise<void> {
  if (!isMessageContext(trigger)) {
    throw new Error(`${definition.name}: the Service Bus SDK binding delivered no message context`);
  }
  const messages = Array.isArray(trigger.messages) ? trigger.messages : [trigger.messages];
  for (const message of messages) {
    let settlement: Awaited<ReturnType<typeof settleWithBus>>;
    try {
      const received = fromServiceBusReceivedMessage(message);
      settlement = await settleWithBus(
        services.bus,
        definition.queueName,
        received,
        await settleQueueMessage(definition, received, services, context),
        services.clock.now(),
      );
    } catch (error) {
      // Not even a retry could be scheduled: Service Bus delivers it again, up to its delivery count.
      await trigger.actions.abandon(message);
      throw error;
    }
    if (settlement.outcome === 'complete') {
      await trigger.actions.complete(message);
    } else {
      // The record first: once dead-lettered, the message is out of reach of this invocation.
      await recordDeadLetter(
        services.deadLetters,
        definition.queueName,
        fromServiceBusReceivedMessage(message),
        settlement,
        services.clock.now(),
        context,
      );
      await trigger.actions.deadletter(message);
    }
  }
}

/** Service Bus trigger connection: the `ServiceBusConnection__*` app settings (identity-based). */
export const serviceBusConnectionName = 'ServiceBusConnection';

/** What queue hosting needs of the services: the bus (to schedule retries), the clock, the dead-letter records. */
export interface QueueHostServices {
  bus: MessageBus;
  clock: Clock;
  /** Where the reasons of dead-lettered messages are kept (Service Bus cannot be told them). */
  deadLetters: DeadLetterRecords;
}

/** Registers every function with the Azure Functions host. HTTP functions authenticate themselves. */
export function registerWithAzureFunctions<S extends QueueHostServices>(
  definitions: ReadonlyArray<FunctionDefinition<S>>,
  services: S,
  routeAccess?: RouteAccessContext,
): void {
  for (const definition of definitions) {
    switch (definition.kind) {
      case 'http':
        app.http(definition.name, {
          route: definition.route,
          methods: definition.methods,
          authLevel: 'anonymous',
          handler: (request, context) =>
            answerHttpRequest(definition, request, services, context, routeAccess),
        });
        break;
      case 'queue':
        app.serviceBusQueue(definition.name, {
          connection: serviceBusConnectionName,
          queueName: definition.queueName,
          // Explicit settlement, so a message can be dead-lettered with a reason.
          sdkBinding: true,
          autoCompleteMessages: false,
          ...(definition.sessions ? { isSessionsEnabled: true } : {}),
          handler: (trigger, context) => runQueueFunctionOnServiceBus(definition, trigger, services, context),
        });
        break;
      case 'timer':
        app.timer(definition.name, {
          schedule: definition.schedule,
          handler: (_timer, context) => runTimerFunction(definition, services, context),
        });
        break;
    }
  }
}
