# After `azd provision`: print what the Entra ID app registration needs. azd passes the outputs of
# bicep/main.bicep (PUBLIC_BASE_URL, GRAPH_CLIENT_ID, ...) as environment variables.
$ErrorActionPreference = 'Stop'

if (-not $env:PUBLIC_BASE_URL) { throw 'PUBLIC_BASE_URL is not set; run azd provision first' }
if (-not $env:GRAPH_CLIENT_ID) { throw 'GRAPH_CLIENT_ID is not set; run azd provision first (bicep/app/appRegistration.bicep creates the app)' }

$base = $env:PUBLIC_BASE_URL.TrimEnd('/')
$clientId = $env:GRAPH_CLIENT_ID
$tenantCallback = "$base/api/onboarding/tenant/callback"
$connectCallback = "$base/api/connect/callback"
$scope = [uri]::EscapeDataString('https://graph.microsoft.com/.default')
$redirect = [uri]::EscapeDataString($tenantCallback)
$consent = "https://login.microsoftonline.com/organizations/v2.0/adminconsent?client_id=$clientId&scope=$scope&redirect_uri=$redirect"

Write-Host @"

hybrid-calendar is provisioned: $base
Function App: $($env:AZURE_FUNCTION_APP_NAME)   Key Vault: $($env:AZURE_KEY_VAULT_NAME)

1. The app registration $clientId was created (or updated) by bicep/app/appRegistration.bicep:
   multi-tenant, v2 tokens, no client secret (a federated credential trusts the Function App's
   managed identity). Its redirect URIs:
     $tenantCallback
     $connectCallback
     $base/api/console/   (single-page app)
   Assign the app role HybridCalendar.Admin to administrators in Enterprise applications.

2. A Global Administrator of each tenant onboards it (sign-in, then admin consent for the
   tenant, a test mailbox, whom to enable) at:
     $base/api/onboarding/tenant
   (Admin consent alone: $consent)

3. Graph posts change notifications to $base/api/notifications and lifecycle
   notifications to $base/api/lifecycle; both must be reachable from the internet.

"@
