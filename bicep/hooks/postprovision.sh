#!/bin/sh
# After `azd provision`: print what the Entra ID app registration needs. azd passes the outputs of
# bicep/main.bicep (PUBLIC_BASE_URL, GRAPH_CLIENT_ID, ...) as environment variables.
set -eu

base="${PUBLIC_BASE_URL:?PUBLIC_BASE_URL is not set; run azd provision first}"
base="${base%/}"
client_id="${GRAPH_CLIENT_ID:?GRAPH_CLIENT_ID is not set; run azd provision first (bicep/app/appRegistration.bicep creates the app)}"

# Percent-encodes the characters that matter in a query value.
encode() {
  printf '%s' "$1" | sed -e 's/%/%25/g' -e 's/:/%3A/g' -e 's#/#%2F#g' -e 's/?/%3F/g' \
    -e 's/&/%26/g' -e 's/=/%3D/g' -e 's/#/%23/g' -e 's/ /%20/g'
}

tenant_callback="$base/api/onboarding/tenant/callback"
connect_callback="$base/api/connect/callback"
scope="$(encode 'https://graph.microsoft.com/.default')"

cat <<MESSAGE

hybrid-calendar is provisioned: $base
Function App: ${AZURE_FUNCTION_APP_NAME:-?}   Key Vault: ${AZURE_KEY_VAULT_NAME:-?}

1. The app registration $client_id was created (or updated) by bicep/app/appRegistration.bicep:
   multi-tenant, v2 tokens, no client secret (a federated credential trusts the Function App's
   managed identity). Its redirect URIs:
     $tenant_callback
     $connect_callback
     $base/api/console/   (single-page app)
   Assign the app role HybridCalendar.Admin to administrators in Enterprise applications.

2. A Global Administrator of each tenant onboards it (sign-in, then admin consent for the
   tenant, a test mailbox, whom to enable) at:
     $base/api/onboarding/tenant
   (Admin consent alone: https://login.microsoftonline.com/organizations/v2.0/adminconsent?client_id=$client_id&scope=$scope&redirect_uri=$(encode "$tenant_callback"))

3. Graph posts change notifications to $base/api/notifications and lifecycle
   notifications to $base/api/lifecycle; both must be reachable from the internet.

MESSAGE
