#!/usr/bin/env bash
# From a fresh clone to https://<fqdn>/admin/ on Azure Container Instances, with the Azure CLI only (no local Docker):
# builds both images in your Azure Container Registry (`az acr build`), then deploys infra/main.bicep. The group pulls
# the images with its own user-assigned identity (AcrPull granted by the template; the registry's admin user stays
# off). Every command is printed before it runs; nothing else is changed. Run it again to roll out a new version.
#
#   scripts/deploy-aci.sh -g <resource-group> -r <registry-name> -a <azure-openai-account> [options]
#
#   -g  resource group of the gateway (created in -l when missing)
#   -r  container registry name (created, Basic SKU, in the same group when missing)
#   -a  the existing Azure OpenAI / Foundry account the gateway calls (its group: -A, default -g)
#   -m  a deployment name on that account, seeded as the first model (default gpt-4o-mini)
#   -l  region (default: the group's, else westeurope)
#   -d  your own domain (CNAME it to the FQDN first); default: the ACI DNS label's FQDN
#   -e  ACME email (optional)   -c  acme | acme-staging | internal (default acme)
#   -s  storage account name to create (default: aoaigw + a hash of the group)
#   -t  image tag (default: the git commit, else a timestamp)   -p  persistence mode azureFile | blob (default azureFile)
#   -n  print the commands without running them (dry run)
#
# At the end it prints the admin URL, the first client key (generated here, printed once) and how to read the admin
# password the proxy generated: `az container logs -g <rg> -n aoai-gateway --container-name proxy`.
set -euo pipefail
cd "$(dirname "$0")/.."

rg="" acr="" account="" account_rg="" model="gpt-4o-mini" location="" domain="" email="" ca="acme" storage="" tag=""
mode="azureFile" dry=0
while getopts "g:r:a:A:m:l:d:e:c:s:t:p:nh" opt; do
  case $opt in
    g) rg=$OPTARG ;; r) acr=$OPTARG ;; a) account=$OPTARG ;; A) account_rg=$OPTARG ;; m) model=$OPTARG ;;
    l) location=$OPTARG ;; d) domain=$OPTARG ;; e) email=$OPTARG ;; c) ca=$OPTARG ;; s) storage=$OPTARG ;;
    t) tag=$OPTARG ;; p) mode=$OPTARG ;; n) dry=1 ;;
    h|*) sed -n '2,22p' "$0"; exit 2 ;;
  esac
done
missing=()
[ -n "$rg" ] || missing+=("-g <resource-group>")
[ -n "$acr" ] || missing+=("-r <registry-name>")
[ -n "$account" ] || missing+=("-a <azure-openai-account>")
if [ ${#missing[@]} -gt 0 ]; then
  echo "error: missing ${missing[*]} (see scripts/deploy-aci.sh -h)" >&2
  exit 2
fi
case $ca in acme|acme-staging|internal) ;; *) echo "error: -c must be acme, acme-staging or internal" >&2; exit 2 ;; esac
case $mode in azureFile|blob) ;; *) echo "error: -p must be azureFile or blob" >&2; exit 2 ;; esac
account_rg=${account_rg:-$rg}
tag=${tag:-$(git rev-parse --short=12 HEAD 2>/dev/null || date -u +%Y%m%d%H%M%S)}

run() { # prints the command, then runs it (not in a dry run)
  printf '+ %s\n' "$(printf '%q ' "$@")" >&2
  [ "$dry" = 1 ] || "$@"
}
# Like run, for commands whose output is needed; a secret argument is printed as <hidden>.
out() {
  printf '+ %s\n' "$(printf '%q ' "$@")" >&2
  if [ "$dry" = 1 ]; then echo "<output of: $1 $2 $3>"; else "$@"; fi
}

command -v az >/dev/null 2>&1 || { echo "error: the Azure CLI (az) is needed: https://aka.ms/installazurecli, then az login" >&2; exit 1; }

if [ -z "$location" ]; then
  location=$(az group show -n "$rg" --query location -o tsv 2>/dev/null || echo westeurope)
fi
if [ "$(az group exists -n "$rg" 2>/dev/null || echo false)" != "true" ]; then
  run az group create -n "$rg" -l "$location" -o none
fi
if ! az acr show -n "$acr" -o none 2>/dev/null; then
  run az acr create -g "$rg" -n "$acr" -l "$location" --sku Basic --admin-enabled false -o none
fi
acr_rg=$(out az acr show -n "$acr" --query resourceGroup -o tsv)
login_server=$(out az acr show -n "$acr" --query loginServer -o tsv)

# Both images are built by ACR Tasks from this checkout (the build context is the repository root).
run az acr build -r "$acr" -t "aoai-gateway/proxy:$tag" -f proxy/Dockerfile .
run az acr build -r "$acr" -t "aoai-gateway/caddy-manager:$tag" -f caddy-manager/Dockerfile .

if [ -z "$storage" ]; then
  storage="aoaigw$(printf '%s' "$(az account show --query id -o tsv 2>/dev/null)/$rg" | sha256sum | cut -c1-14)"
fi
client_key=$(python3 -c 'import secrets; print("sk-" + secrets.token_urlsafe(30))')
params=(proxyImage="$login_server/aoai-gateway/proxy:$tag" caddyManagerImage="$login_server/aoai-gateway/caddy-manager:$tag"
  acrName="$acr" acrResourceGroup="$acr_rg" storageAccountName="$storage" persistenceMode="$mode"
  cognitiveServicesAccountName="$account" cognitiveServicesAccountResourceGroup="$account_rg"
  modelDeployment="$model" ca="$ca" location="$location")
[ -n "$domain" ] && params+=(domain="$domain")
[ -n "$email" ] && params+=(acmeEmail="$email")
printf '+ az deployment group create -g %q -n aoai-gateway -f infra/main.bicep -p %s clientKey=<hidden> --query properties.outputs -o json\n' \
  "$rg" "$(printf '%q ' "${params[@]}")" >&2
if [ "$dry" = 1 ]; then
  echo "(dry run: nothing was deployed)"
  exit 0
fi
outputs=$(az deployment group create -g "$rg" -n aoai-gateway -f infra/main.bicep -p "${params[@]}" clientKey="$client_key" \
  --query properties.outputs -o json)
site=$(printf '%s' "$outputs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["siteUrl"]["value"])')

cat <<EOT

================================================================================
 AOAI Gateway deployed to ACI (group aoai-gateway in $rg)
   admin page    $site        (the certificate may take a minute)
   API base URL  ${site%/admin/}/v1
   client key    $client_key        (printed this once; it is kept only in the group's secure environment)
   admin user    admin; the password the proxy generated is in its log, printed once at its first start:
                 az container logs -g $rg -n aoai-gateway --container-name proxy | grep 'Admin password'
 More models and keys: the admin page. Upgrade: run this script again (a new tag).
================================================================================
EOT
