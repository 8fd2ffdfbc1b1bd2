import type { TokenCredential } from '@azure/identity';
import { metrics } from '@opentelemetry/api';
import type { TelemetrySettings } from '../../config/settings.js';

export interface RunningTelemetry {
  /** Where spans and metrics go, for the start-up banner. */
  destination: string;
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

const serviceAttributes = { 'service.name': 'hybrid-calendar' };

/**
 * Starts the OpenTelemetry SDK behind the API the code uses (`shared/observability/telemetry.ts`).
 * In Azure (`APPLICATIONINSIGHTS_CONNECTION_STRING` set) the Azure Monitor distro, authenticated with
 * the managed identity (Entra ID: the resource accepts no instrumentation key alone); locally
 * (`OTEL_LOCAL_EXPORT`) the console or a JSON-lines file. Both put every span through the same
 * `PersonalDataFilter`; with neither, the API stays a no-op.
 */
export async function startTelemetry(
  settings: TelemetrySettings,
  credential: () => TokenCredential,
): Promise<RunningTelemetry> {
  if (settings.applicationInsightsConnectionString) {
    // The SDKs are loaded only when telemetry is on: the distro alone takes seconds to import.
    const [{ shutdownAzureMonitor, useAzureMonitor }, { resourceFromAttributes }, { PersonalDataFilter }] =
      await Promise.all([
        import('@azure/monitor-opentelemetry'),
        import('@opentelemetry/resources'),
        import('./personalDataFilter.js'),
      ]);
    useAzureMonitor({
      azureMonitorExporterOptions: {
        connectionString: settings.applicationInsightsConnectionString,
        credential: credential(),
      },
      resource: resourceFromAttributes(serviceAttributes),
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
  const [
    { resourceFromAttributes },
    { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader },
    { ConsoleSpanExporter, NodeTracerProvider, SimpleSpanProcessor },
    { LocalTelemetryFile },
    { PersonalDataFilter },
  ] = await Promise.all([
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/sdk-trace-node'),
    import('./localTelemetryFile.js'),
    import('./personalDataFilter.js'),
  ]);
  const file = local.kind === 'file' ? new LocalTelemetryFile(local.path) : undefined;
  const tracerProvider = new NodeTracerProvider({
    resource: resourceFromAttributes(serviceAttributes),
    spanProcessors: [new PersonalDataFilter(), new SimpleSpanProcessor(file ?? new ConsoleSpanExporter())],
  });
  tracerProvider.register();
  const meterProvider = new MeterProvider({
    resource: resourceFromAttributes(serviceAttributes),
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
