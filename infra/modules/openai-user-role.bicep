// Grants "Cognitive Services OpenAI User" on an existing Azure OpenAI / Foundry account to a principal. Deployed by
// main.bicep into the account's own resource group (the nested deployment in azuredeploy.json).

@description('Name of the existing Azure OpenAI / Foundry account in this resource group.')
param cognitiveServicesAccountName string

@description('Object id of the principal to grant (the container group\'s identity).')
param principalId string

var cognitiveServicesOpenAiUserRoleId = '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'

resource account 'Microsoft.CognitiveServices/accounts@2023-05-01' existing = {
  name: cognitiveServicesAccountName
}

resource openAiUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, cognitiveServicesOpenAiUserRoleId)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cognitiveServicesOpenAiUserRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Resource id of the role assignment.')
output roleAssignmentId string = openAiUser.id
