// AOAI Gateway on Azure Container Instances: one container group with two containers sharing a network namespace and
// a data volume. Only Caddy (in the caddy-manager container) is public, on 80 and 443; the proxy's plain-HTTP port
// 3000 is reachable only inside the group (defect D5 of the original).
//
// Kept EQUIVALENT to azuredeploy.json (same parameters, resources and outputs); the infra module's tests check it.
// ACI mounts Azure Files with the storage account key only, so azureFile mode needs shared-key access on the account;
// blob mode works with the managed identity alone.
targetScope = 'resourceGroup'

@description('Azure region of every resource; defaults to the resource group\'s region.')
param location string = resourceGroup().location

@description('Name of the container group (lower-case letters, digits and dashes).')
@minLength(1)
@maxLength(63)
param containerGroupName string = 'aoai-gateway'

@description('Image of the proxy, e.g. <registry>/aoai-gateway/proxy:<version>.')
param proxyImage string

@description('Image of caddy-manager (it contains Caddy), e.g. <registry>/aoai-gateway/caddy-manager:<version>.')
param caddyManagerImage string

@description('DNS label: the public IP gets <label>.<region>.azurecontainer.io, the default site name. Defaults to aoaigw-<hash of the resource group>.')
param dnsNameLabel string = format('aoaigw-{0}', uniqueString(resourceGroup().id))

@description('Host name Caddy serves with a certificate (seeded into server.caddy.domain). Empty means the DNS label\'s FQDN, <dnsNameLabel>.<location>.azurecontainer.io; a custom name needs its CNAME to that FQDN first.')
param domain string = ''

@description('ACME account email for certificate notices (seeded into server.caddy.email); empty is allowed.')
param acmeEmail string = ''

@description('Certificate authority (seeded into server.caddy.ca): acme (Let\'s Encrypt), acme-staging (for trials, untrusted certificates) or internal (Caddy\'s local CA).')
@allowed([
  'acme'
  'acme-staging'
  'internal'
])
param ca string = 'acme'

@description('CPU cores of the proxy container, as a decimal string (e.g. 1 or 1.5).')
param proxyCpu string = '1'

@description('Memory of the proxy container in GB, as a decimal string.')
param proxyMemoryInGb string = '1.5'

@description('CPU cores of the caddy-manager container (Caddy and its supervisor), as a decimal string.')
param caddyManagerCpu string = '0.5'

@description('Memory of the caddy-manager container in GB, as a decimal string.')
param caddyManagerMemoryInGb string = '0.5'

@description('Where config.json lives: azureFile (a share mounted at /app/data, needs the storage key) or blob (a blob read and written with the managed identity).')
@allowed([
  'azureFile'
  'blob'
])
param persistenceMode string = 'azureFile'

@description('Name of the NEW storage account to create (3-24 lower-case letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param storageAccountName string

@description('Azure Files share mounted at /app/data (azureFile mode).')
param fileShareName string = 'aoaigw'

@description('Blob container of the config (blob mode).')
param blobContainerName string = 'aoaigw-config'

@description('Blob name of the config inside the container (blob mode).')
param configBlobName string = 'config/config.json'

@description('The existing Azure OpenAI / Foundry account the gateway calls with its managed identity.')
@minLength(2)
param cognitiveServicesAccountName string

@description('Resource group of that account (same subscription); defaults to this deployment\'s resource group.')
param cognitiveServicesAccountResourceGroup string = resourceGroup().name

@description('A deployment name on that account, seeded as the first model (public id = deployment name); add more on the admin page.')
@minLength(1)
param modelDeployment string = 'gpt-4o-mini'

@description('The first client key of the seeded config (passed as AOAIGW_FIRST_CLIENT_KEY, never stored in the config). Empty: no usable key until one is created on the admin page.')
@secure()
param clientKey string = ''

@description('Log level of both processes (e.g. INFO, WARNING, FINE).')
param logLevel string = 'INFO'

@description('Name of the Azure Container Registry holding both images: pulled with the group\'s user-assigned identity, granted AcrPull by this deployment (no admin user). Empty: public images, or registryLoginServer with credentials.')
param acrName string = ''

@description('Resource group of that registry (same subscription); defaults to this deployment\'s resource group.')
param acrResourceGroup string = resourceGroup().name

@description('Login server of a private registry holding the images; empty for public images.')
param registryLoginServer string = ''

@description('User name for the private registry.')
@secure()
param registryUsername string = ''

@description('Password or token for the private registry.')
@secure()
param registryPassword string = ''

@description('Shared secret caddy-manager presents to the proxy\'s internal endpoint. Generated when not given.')
@secure()
param caddyManagerToken string = newGuid()

@description('Optional Redis URL for limits shared across replicas (rediss://:<password>@<host>:6380), passed as REDIS_URL; the config must say server.sharedState.redisUrl "env:REDIS_URL". No Redis is created.')
@secure()
param redisUrl string = ''

@description('Optional Application Insights connection string, passed to both containers as APPLICATIONINSIGHTS_CONNECTION_STRING (traces and metrics to Azure Monitor). Empty: off.')
@secure()
param applicationInsightsConnectionString string = ''

var useAzureFile = persistenceMode == 'azureFile'
// The cloud's own storage suffix: sovereign clouds work unchanged.
var blobAccountUrl = 'https://${storageAccountName}.blob.${environment().suffixes.storage}'
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var dataMountPath = '/app/data'
var useAcr = !empty(acrName)
var pullIdentityName = '${containerGroupName}-pull'
// The site Caddy serves: the custom domain, else the DNS label's FQDN (what ACI gives the public IP).
var siteDomain = empty(domain) ? '${dnsNameLabel}.${location}.azurecontainer.io' : domain

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  sku: {
    name: 'Standard_LRS'
  }
  kind: 'StorageV2'
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    // Shared keys only where ACI needs them: its Azure Files mount.
    allowSharedKeyAccess: useAzureFile
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource fileShare 'Microsoft.Storage/storageAccounts/fileServices/shares@2023-05-01' = if (useAzureFile) {
  name: '${storage.name}/default/${fileShareName}'
  properties: {
    shareQuota: 5
  }
}

resource configContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = if (!useAzureFile) {
  name: '${storage.name}/default/${blobContainerName}'
  properties: {
    publicAccess: 'None'
  }
}

// The identity that pulls the images from ACR. User-assigned, because the pull happens while the group is created,
// before a system-assigned identity could hold a role; the system-assigned one keeps the data-plane roles.
resource pullIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = if (useAcr) {
  name: pullIdentityName
  location: location
}

// AcrPull on the registry, which may live in another resource group; granted before the group pulls.
module acrPullRole 'modules/acr-pull-role.bicep' = if (useAcr) {
  name: '${containerGroupName}-acr-pull'
  scope: resourceGroup(acrResourceGroup)
  params: {
    acrName: acrName
    principalId: useAcr ? pullIdentity.properties.principalId : ''
  }
}

// The account the seeded config calls, for its endpoint.
resource account 'Microsoft.CognitiveServices/accounts@2023-05-01' existing = {
  name: cognitiveServicesAccountName
  scope: resourceGroup(cognitiveServicesAccountResourceGroup)
}

resource containerGroup 'Microsoft.ContainerInstance/containerGroups@2023-05-01' = {
  name: containerGroupName
  location: location
  identity: useAcr ? {
    type: 'SystemAssigned, UserAssigned'
    userAssignedIdentities: {
      '${pullIdentity.id}': {}
    }
  } : {
    type: 'SystemAssigned'
  }
  properties: {
    osType: 'Linux'
    restartPolicy: 'Always'
    imageRegistryCredentials: useAcr ? [
      {
        server: '${acrName}${environment().suffixes.acrLoginServer}'
        identity: pullIdentity.id
      }
    ] : empty(registryLoginServer) ? [] : [
      {
        server: registryLoginServer
        username: registryUsername
        password: registryPassword
      }
    ]
    // Only Caddy's ports are public. The proxy's 3000 is not listed anywhere: it stays inside the group.
    ipAddress: {
      type: 'Public'
      dnsNameLabel: empty(dnsNameLabel) ? null : dnsNameLabel
      ports: [
        {
          port: 80
          protocol: 'TCP'
        }
        {
          port: 443
          protocol: 'TCP'
        }
      ]
    }
    containers: [
      {
        name: 'proxy'
        properties: {
          image: proxyImage
          resources: {
            requests: {
              cpu: json(proxyCpu)
              memoryInGB: json(proxyMemoryInGb)
            }
          }
          environmentVariables: [
            {
              name: 'CONFIG_PATH'
              value: '${dataMountPath}/config.json'
            }
            {
              name: 'PORT'
              value: '3000'
            }
            {
              name: 'PERSISTENCE_MODE'
              value: persistenceMode
            }
            {
              name: 'AZURE_STORAGE_ACCOUNT_URL'
              value: blobAccountUrl
            }
            {
              name: 'CONFIG_BLOB_CONTAINER'
              value: blobContainerName
            }
            {
              name: 'CONFIG_BLOB_NAME'
              value: configBlobName
            }
            {
              name: 'LOG_LEVEL'
              value: logLevel
            }
            {
              name: 'CADDY_MANAGER_TOKEN'
              secureValue: caddyManagerToken
            }
            {
              // The first config, written by the entry point when the store has none (never over an existing one):
              // Caddy on for the site, the account as the upstream with the group's identity, one model, one key.
              name: 'CONFIG_SEED_JSON'
              value: string({
                server: {
                  host: '0.0.0.0'
                  caddy: {
                    enabled: true
                    domain: siteDomain
                    email: acmeEmail
                    ca: ca
                  }
                }
                auth: {
                  mode: 'managedIdentity'
                }
                apiKeys: [
                  {
                    id: 'first'
                    key: 'env:AOAIGW_FIRST_CLIENT_KEY'
                  }
                ]
                upstreams: [
                  {
                    name: 'azure'
                    baseUrl: account.properties.endpoint
                  }
                ]
                models: [
                  {
                    id: modelDeployment
                    upstream: 'azure'
                    targetModel: modelDeployment
                  }
                ]
              })
            }
            {
              name: 'AOAIGW_FIRST_CLIENT_KEY'
              secureValue: clientKey
            }
            {
              name: 'REDIS_URL'
              secureValue: redisUrl
            }
            {
              name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
              secureValue: applicationInsightsConnectionString
            }
          ]
          volumeMounts: [
            {
              name: 'data'
              mountPath: dataMountPath
            }
          ]
        }
      }
      {
        name: 'caddy-manager'
        properties: {
          image: caddyManagerImage
          ports: [
            {
              port: 80
              protocol: 'TCP'
            }
            {
              port: 443
              protocol: 'TCP'
            }
          ]
          resources: {
            requests: {
              cpu: json(caddyManagerCpu)
              memoryInGB: json(caddyManagerMemoryInGb)
            }
          }
          environmentVariables: [
            {
              name: 'CONFIG_PATH'
              value: '${dataMountPath}/config.json'
            }
            {
              name: 'PERSISTENCE_MODE'
              value: persistenceMode
            }
            {
              name: 'AZURE_STORAGE_ACCOUNT_URL'
              value: blobAccountUrl
            }
            {
              name: 'CONFIG_BLOB_CONTAINER'
              value: blobContainerName
            }
            {
              name: 'CONFIG_BLOB_NAME'
              value: configBlobName
            }
            {
              name: 'LOG_LEVEL'
              value: logLevel
            }
            {
              // On the share in azureFile mode (certificates survive restarts); on the group's emptyDir in blob mode
              // (kept across container restarts, lost when the group is recreated or moved; see infra/README.md).
              name: 'CADDY_DATA_DIR'
              value: '${dataMountPath}/caddy'
            }
            {
              name: 'PROXY_ADMIN_URL'
              value: 'http://127.0.0.1:3000'
            }
            {
              name: 'CADDY_MANAGER_TOKEN'
              secureValue: caddyManagerToken
            }
            {
              name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
              secureValue: applicationInsightsConnectionString
            }
          ]
          volumeMounts: [
            {
              name: 'data'
              mountPath: dataMountPath
            }
          ]
        }
      }
    ]
    // The key is read inline here, never in a variable (ARM rejects listKeys there, and it would not be lazy).
    volumes: [
      useAzureFile ? {
        name: 'data'
        azureFile: {
          shareName: fileShareName
          storageAccountName: storageAccountName
          storageAccountKey: storage.listKeys().keys[0].value
        }
      } : {
        name: 'data'
        emptyDir: {}
      }
    ]
  }
  dependsOn: [
    fileShare
    configContainer
    acrPullRole
  ]
}

resource configBlobDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!useAzureFile) {
  name: guid(configContainer.id, containerGroup.id, storageBlobDataContributorRoleId)
  scope: configContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
    principalId: containerGroup.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// The Azure OpenAI / Foundry account may live in another resource group: the role assignment is deployed there.
module openAiUserRole 'modules/openai-user-role.bicep' = {
  name: '${containerGroupName}-openai-user-role'
  scope: resourceGroup(cognitiveServicesAccountResourceGroup)
  params: {
    cognitiveServicesAccountName: cognitiveServicesAccountName
    principalId: containerGroup.identity.principalId
  }
}

@description('Resource id of the container group.')
output containerGroupId string = containerGroup.id

@description('Object id of the group\'s system-assigned identity (the principal of both role assignments).')
output principalId string = containerGroup.identity.principalId

@description('Public IP address of the group (Caddy, ports 80 and 443).')
output publicIpAddress string = containerGroup.properties.ipAddress.ip

@description('Public FQDN when dnsNameLabel is set, else empty. Point your domain (CNAME) here.')
output fqdn string = empty(dnsNameLabel) ? '' : containerGroup.properties.ipAddress.fqdn

@description('The admin page, served by Caddy with a certificate for the seeded domain.')
output siteUrl string = 'https://${siteDomain}/admin/'

@description('Blob endpoint of the new storage account.')
output blobAccountUrl string = blobAccountUrl

@description('The persistence mode deployed.')
output storageMode string = persistenceMode
