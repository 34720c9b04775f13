// Grants "AcrPull" on an existing Azure Container Registry to the identity the container group pulls its images with.
// Deployed by main.bicep into the registry's own resource group (the nested deployment `<group>-acr-pull` in
// azuredeploy.json), before the container group is created.

@description('Name of the existing container registry in this resource group.')
param acrName string

@description('Object id of the identity that pulls the images.')
param principalId string

var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: acrName
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, principalId, acrPullRoleId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Resource id of the role assignment.')
output roleAssignmentId string = acrPull.id
