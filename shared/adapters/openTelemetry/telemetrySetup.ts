import type { TokenCredential } from '@azure/identity';
import { shutdownAzureMonitor, useAzureMonitor } from '@azure/monitor-opentelemetry';
import { metrics } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  ConsoleMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { ConsoleSpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { TelemetrySettings } from '../../config/settings.js';
import { LocalTelemetryFile } from './localTelemetryFile.js';
import { PersonalDataFilter } from './personalDataFilter.js';

export interface RunningTelemetry {
  /** Where spans and metrics go, for the start-up banner. */
  destination: string;
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

const serviceResource = () => resourceFromAttributes({ 'service.name': 'hybrid-calendar' });

/**
 * Starts the OpenTelemetry SDK behind the API the code uses (`shared/observability/telemetry.ts`).
 * In Azure (`APPLICATIONINSIGHTS_CONNECTION_STRING` set) the Azure Monitor distro, authenticated with
 * the managed identity (Entra ID: the resource accepts no instrumentation key alone); locally
 * (`OTEL_LOCAL_EXPORT`) the console or a JSON-lines file. Both put every span through the same
 * `PersonalDataFilter`; with neither, the API stays a no-op.
 */
export function startTelemetry(
  settings: TelemetrySettings,
  credential: () => TokenCredential,
): RunningTelemetry {
  if (settings.applicationInsightsConnectionString) {
    useAzureMonitor({
      azureMonitorExporterOptions: {
        connectionString: settings.applicationInsightsConnectionString,
        credential: credential(),
      },
      resource: serviceResource(),
      spanProcessors: [new PersonalDataFilter()],
      // Incoming and outgoing HTTP spans would name full URLs (mailbox ids, principal names); the
      // hosting layer and the adapters make spans named by route templates instead. Live metrics
      // stream request names unfiltered, so they stay off.
      instrumentationOptions: {
        http: { enabled: false },
        bunyan: { enabled: false },
        winston: { enabled: false },
      },
      enableLiveMetrics: false,
    });
    return { destination: 'Azure Monitor (Application Insights)', shutdown: () => shutdownAzureMonitor() };
  }
  const local = settings.localExport;
  if (local.kind === 'none')
    return { destination: 'nowhere (OTEL_LOCAL_EXPORT unset)', shutdown: async () => {} };
  const file = local.kind === 'file' ? new LocalTelemetryFile(local.path) : undefined;
  const tracerProvider = new NodeTracerProvider({
    resource: serviceResource(),
    spanProcessors: [new PersonalDataFilter(), new SimpleSpanProcessor(file ?? new ConsoleSpanExporter())],
  });
  tracerProvider.register();
  const meterProvider = new MeterProvider({
    resource: serviceResource(),
    readers: [
      new PeriodicExportingMetricReader({
        exporter: file ?? new ConsoleMetricExporter(),
        exportIntervalMillis: 2_000,
      }),
    ],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    destination: local.kind === 'file' ? `file ${local.path}` : 'console',
    shutdown: async () => {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}
