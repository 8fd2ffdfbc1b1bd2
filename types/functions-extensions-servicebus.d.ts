// The package's own types import its TypeScript sources, which do not compile under strict settings.
// The app only imports it for its side effect (registering the Service Bus SDK binding), so its
// types are replaced by this empty module; shared/hosting/azureFunctionsHost.ts types the context.
export {};
