// @azure/functions is a CommonJS bundle whose named exports Node's ESM loader cannot detect, so its
// values are taken from the default export here. Types still come from the package directly.
import azureFunctions from '@azure/functions';

export const { app, HttpRequest, HttpResponse, InvocationContext } = azureFunctions;
