@{
    RootModule           = 'ApiKeyModule.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0c7a43-8f3e-4c4e-9b1a-2f6d7e8a9c31'
    Author               = 'ApiKeyModule contributors'
    CompanyName          = 'ApiKeyModule contributors'
    Copyright            = '(c) ApiKeyModule contributors. MIT License.'
    Description          = 'Manage API keys as TrueNAS SCALE auth api_key does (create, query, get, update, reset, delete), as PowerShell cmdlets over a shared SQLite store that keeps only a hash of each key.'
    CompatiblePSEditions = @('Desktop', 'Core')
    PowerShellVersion    = '5.1'
    TypesToProcess       = @('ApiKeyModule.types.ps1xml')
    FormatsToProcess     = @('ApiKeyModule.format.ps1xml')
    CmdletsToExport      = @('New-ApiKey', 'Get-ApiKey', 'Set-ApiKey', 'Remove-ApiKey', 'Test-ApiKey', 'Revoke-ApiKey', 'Get-ApiKeyAuditLog', 'Clear-ApiKeyAuditLog', 'Edit-ApiKey', 'Copy-ApiKeyStore')
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('ApiKey', 'TrueNAS', 'SQLite', 'Security', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
