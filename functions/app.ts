// The Azure Functions entry point (package.json `main`). Cold start: read and check the settings
// (failing with every bad one named), start telemetry, compose the adapters, register every function.
import '@azure/functions-extensions-servicebus';
import { composeServices, startServiceTelemetry } from '../shared/composition.js';
import { loadSettings } from '../shared/config/settings.js';
import { registerWithAzureFunctions } from '../shared/hosting/azureFunctionsHost.js';
import { functionList } from './functionList.js';

const settings = loadSettings(process.env);
await startServiceTelemetry(settings);
const services = composeServices(settings);
registerWithAzureFunctions(functionList, services, services.routeAccess);
